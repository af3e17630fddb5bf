/**
 * RFC 9457 problem details as the edge answers them: every error the API returns is one of core's
 * problem kinds (the same `type` URNs, titles and statuses as the backplane), as
 * `application/problem+json`. Handlers throw `ProblemError`; the app's one `onError` renders it.
 * What is the edge's own stays here: the kinds it answers with, and the Response it renders.
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
  MAX_REPORTED_ISSUES,
  PROBLEM_CONTENT_TYPE,
  problemBody,
  problemType,
  validationProblem,
} from '@vigil/core';

/**
 * The problem kinds the edge answers with, in the order openapi.json and /docs list them; a bare
 * HTTP status some middleware throws becomes the first kind here with that status.
 */
export const PROBLEMS = pickProblems([
  'validation',
  'malformed-json',
  'unauthorized',
  'forbidden',
  'not-found',
  'unknown-transaction',
  'method-not-allowed',
  'in-progress',
  'request-timeout',
  'payload-too-large',
  'unsupported-media-type',
  'transaction-id-reused',
  'upgrade-required',
  'internal',
  'unavailable',
]);

export type ProblemKind = keyof typeof PROBLEMS;

/** Core's ProblemError, narrowed to the edge's kinds. */
export const ProblemError = narrowProblemError<ProblemKind>();
export type ProblemError = AnyProblemError;

/** The response for a problem. */
export function problemResponse(body: ProblemBody, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), problemResponseInit(body, headers));
}
