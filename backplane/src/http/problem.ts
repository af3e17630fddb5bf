/**
 * RFC 9457 problem details for every backplane route (ingest, health, metrics and the analysts'
 * API): core's problem kinds, in the same shape and `type` URNs as the edge. Handlers throw
 * ProblemError, the app's onError renders it as application/problem+json. What is the backplane's
 * own stays here: the kinds it answers with, and the Response it renders.
 */
import {
  PROBLEM_CONTENT_TYPE,
  pickProblems,
  ProblemError as AnyProblemError,
  type ProblemBody,
  type ProblemOptions,
} from '@vigil/core';

export { PROBLEM_CONTENT_TYPE, problemBody, validationProblem } from '@vigil/core';

/**
 * The problem kinds the backplane answers with; a bare HTTP status some middleware throws becomes
 * the first kind here with that status.
 */
export const PROBLEMS = pickProblems([
  'validation',
  'malformed-json',
  'unauthorized',
  'csrf',
  'not-found',
  'method-not-allowed',
  'stale-version',
  'case-resolved',
  'payload-too-large',
  'unsupported-media-type',
  'internal',
  'bad-gateway',
  'unavailable',
]);

export type ProblemKind = keyof typeof PROBLEMS;

/**
 * Core's ProblemError, its constructor narrowed to the backplane's kinds. The same class, so
 * `instanceof` holds for every ProblemError.
 */
export const ProblemError: new (
  kind: ProblemKind,
  detail: string,
  options?: ProblemOptions,
) => AnyProblemError = AnyProblemError;
export type ProblemError = AnyProblemError;

/** The response for a problem. */
export function problemResponse(body: ProblemBody, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store', ...headers },
  });
}
