/**
 * RFC 9457 problem details for every backplane route (ingest, health, metrics and the analysts'
 * API), in the same shape and `type` URNs as the edge: handlers throw ProblemError, the app's
 * onError renders it as application/problem+json.
 */
import type { FieldIssue } from '@vigil/core';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem kinds the backplane answers with: `type` is `urn:vigil:problem:<kind>`. */
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

/** Most issues one response lists (a 2,000-event batch can have more). */
export const MAX_REPORTED_ISSUES = 1_000;

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly FieldIssue[];
  /** Correlates an answer with its log lines (the request id). */
  readonly instance?: string;
}

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

export function problemResponse(body: ProblemBody, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store', ...headers },
  });
}

/** A 400 naming every issue by JSON Pointer (`/events/3/transaction/amount`). */
export function validationProblem(issues: readonly FieldIssue[]): ProblemError {
  const n = issues.length;
  const first = issues[0];
  const lead = first ? `${first.path || '/'}: ${first.message}` : 'invalid request';
  const shown = n > MAX_REPORTED_ISSUES ? ` (the first ${MAX_REPORTED_ISSUES} are listed)` : '';
  const detail = n <= 1 ? lead : `${n} problems, first ${lead}${shown}`;
  return new ProblemError('validation', detail, { errors: issues });
}
