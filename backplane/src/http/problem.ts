/**
 * RFC 9457 problem details for every backplane route (ingest, health, metrics and the analysts'
 * API): core's problem kinds, in the same shape and `type` URNs as the edge. Handlers throw
 * ProblemError, the app's onError renders it as application/problem+json. What is the backplane's
 * own stays here: the kinds it answers with, and the Response it renders.
 */
import {
  narrowProblemError,
  pickProblems,
  problemResponseInit,
  type ProblemBody,
  type ProblemError as AnyProblemError,
} from '@vigil/core';

export {
  internalProblemBody,
  PROBLEM_CONTENT_TYPE,
  problemBody,
  validationProblem,
} from '@vigil/core';

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
  'already-exists',
  'model-status',
  'payload-too-large',
  'unsupported-media-type',
  'internal',
  'bad-gateway',
  'unavailable',
]);

export type ProblemKind = keyof typeof PROBLEMS;

/** Core's ProblemError, narrowed to the backplane's kinds. */
export const ProblemError = narrowProblemError<ProblemKind>();
export type ProblemError = AnyProblemError;

/** The response for a problem; never cached (an answer about a session or a case). */
export function problemResponse(body: ProblemBody, headers: Record<string, string> = {}): Response {
  return new Response(
    JSON.stringify(body),
    problemResponseInit(body, { 'cache-control': 'no-store', ...headers }),
  );
}
