/**
 * RFC 9457 problem details: every error the API returns is one of these, as
 * `application/problem+json`. Handlers throw `ProblemError`; the app's one `onError` renders it.
 */
import type { FieldIssue } from '@vigil/core';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem types the API uses: stable URNs (`type`), their title and status. */
export const PROBLEMS = {
  validation: { status: 400, title: 'Invalid request' },
  'malformed-json': { status: 400, title: 'Malformed JSON' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  'unknown-transaction': { status: 404, title: 'Unknown transaction' },
  'in-progress': { status: 409, title: 'Transaction being scored' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'upgrade-required': { status: 426, title: 'Upgrade required' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const;

export type ProblemKind = keyof typeof PROBLEMS;

/** The `type` URI of a problem kind. */
export function problemType(kind: ProblemKind): string {
  return `urn:vigil:problem:${kind}`;
}

/** Most issues a response lists; the detail says how many there were in all. */
export const MAX_REPORTED_ISSUES = 1_000;

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly FieldIssue[];
  /** Correlates a 5xx with its log line. */
  readonly instance?: string;
}

/** An expected failure of a request, rendered as problem+json by the app's error handler. */
export class ProblemError extends Error {
  readonly code: ProblemKind;
  readonly status: number;
  readonly errors: readonly FieldIssue[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    kind: ProblemKind,
    detail: string,
    options: { errors?: readonly FieldIssue[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.code = kind;
    this.status = PROBLEMS[kind].status;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  body(): ProblemBody {
    return problemBody(this.code, this.message, this.errors);
  }
}

export function problemBody(
  kind: ProblemKind,
  detail: string,
  errors?: readonly FieldIssue[],
  instance?: string,
): ProblemBody {
  const p = PROBLEMS[kind];
  return {
    type: problemType(kind),
    title: p.title,
    status: p.status,
    detail,
    ...(errors ? { errors: errors.slice(0, MAX_REPORTED_ISSUES) } : {}),
    ...(instance ? { instance } : {}),
  };
}

/** The response for a problem. */
export function problemResponse(body: ProblemBody, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  });
}

/** A 400 listing every issue (capped), named by JSON Pointer. */
export function validationProblem(issues: readonly FieldIssue[]): ProblemError {
  const n = issues.length;
  const shown = n > MAX_REPORTED_ISSUES ? ` (the first ${MAX_REPORTED_ISSUES} are listed)` : '';
  const first = issues[0];
  const lead = first ? `${first.path || '/'}: ${first.message}` : 'invalid request';
  const detail = n === 1 ? lead : `${n} problems, first ${lead}${shown}`;
  return new ProblemError('validation', detail, { errors: issues });
}
