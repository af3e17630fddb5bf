/**
 * RFC 9457 problem details for the analysts' API, in the edge's style: handlers throw
 * `ProblemError`, the app's one `onError` renders it as `application/problem+json`.
 */
import type { FieldIssue } from '@vigil/core';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem kinds the API answers with: `type` is `urn:vigil:problem:<kind>`. */
export const PROBLEMS = {
  validation: { status: 400, title: 'Invalid request' },
  'malformed-json': { status: 400, title: 'Malformed JSON' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  csrf: { status: 403, title: 'Missing CSRF header' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'stale-version': { status: 409, title: 'Stale version' },
  'case-resolved': { status: 409, title: 'Case already resolved' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  internal: { status: 500, title: 'Internal error' },
  'bad-gateway': { status: 502, title: 'Bad gateway' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const;

export type ProblemKind = keyof typeof PROBLEMS;

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly FieldIssue[];
  /** Correlates a 5xx with its log line. */
  readonly instance?: string;
}

/** Most issues one response lists. */
const MAX_REPORTED_ISSUES = 100;

/** The body of a problem of `kind`. */
export function problemBody(
  kind: ProblemKind,
  detail: string,
  errors?: readonly FieldIssue[],
  instance?: string,
): ProblemBody {
  const p = PROBLEMS[kind];
  return {
    type: `urn:vigil:problem:${kind}`,
    title: p.title,
    status: p.status,
    detail,
    ...(errors ? { errors: errors.slice(0, MAX_REPORTED_ISSUES) } : {}),
    ...(instance ? { instance } : {}),
  };
}

/** An expected failure of a request; `code` is its problem kind. */
export class ProblemError extends Error {
  readonly code: ProblemKind;
  readonly status: number;
  readonly errors: readonly FieldIssue[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    kind: ProblemKind,
    detail: string,
    options: {
      errors?: readonly FieldIssue[];
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProblemError';
    this.code = kind;
    this.status = PROBLEMS[kind].status;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  body(): ProblemBody {
    return problemBody(this.code, this.message, this.errors);
  }
}

/** The response for a problem. */
export function problemResponse(body: ProblemBody, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store', ...headers },
  });
}

/** A 400 listing every issue, each named by a JSON Pointer into the query or the body. */
export function validationProblem(issues: readonly FieldIssue[]): ProblemError {
  const first = issues[0];
  const lead = first ? `${first.path || '/'}: ${first.message}` : 'invalid request';
  const detail = issues.length <= 1 ? lead : `${issues.length} problems, first ${lead}`;
  return new ProblemError('validation', detail, { errors: issues });
}
