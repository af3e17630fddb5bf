/**
 * RFC 9457 problem details, shared by Vigil's two HTTP APIs (the edge and the backplane): one
 * table of problem kinds, so a `type` URN means the same status and title wherever it is answered,
 * the body both send as `application/problem+json`, and the error their handlers throw. Each app
 * picks the kinds it answers with (pickProblems) and renders the body as its own Response.
 */
import type { FieldIssue } from '../schema/issues.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Every problem kind of Vigil's APIs: `type` is `urn:vigil:problem:<kind>`. */
export const PROBLEMS = {
  validation: { status: 400, title: 'Invalid request' },
  'malformed-json': { status: 400, title: 'Malformed JSON' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  csrf: { status: 403, title: 'Missing CSRF header' },
  'not-found': { status: 404, title: 'Not found' },
  'unknown-transaction': { status: 404, title: 'Unknown transaction' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'in-progress': { status: 409, title: 'Transaction being scored' },
  'stale-version': { status: 409, title: 'Stale version' },
  'case-resolved': { status: 409, title: 'Case already resolved' },
  'already-exists': { status: 409, title: 'Already exists' },
  'model-status': { status: 409, title: "Not possible in the model's status" },
  'request-timeout': { status: 408, title: 'Request timeout' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'transaction-id-reused': { status: 422, title: 'Transaction id reused with a different payload' },
  'upgrade-required': { status: 426, title: 'Upgrade required' },
  internal: { status: 500, title: 'Internal error' },
  'bad-gateway': { status: 502, title: 'Bad gateway' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const;

export type ProblemKind = keyof typeof PROBLEMS;

/** The `type` URI of a problem kind. */
export function problemType(kind: ProblemKind): string {
  return `urn:vigil:problem:${kind}`;
}

/**
 * The kinds one API answers with, as a table of PROBLEMS in the order given: an app documents
 * this table, and maps a bare HTTP status to the first of its kinds with that status.
 */
export function pickProblems<const K extends ProblemKind>(
  kinds: readonly K[],
): { readonly [P in K]: (typeof PROBLEMS)[P] } {
  return Object.fromEntries(kinds.map((k) => [k, PROBLEMS[k]])) as {
    readonly [P in K]: (typeof PROBLEMS)[P];
  };
}

/**
 * The kind an app answers for a bare HTTP status some middleware threw: the first of its kinds
 * (`table`, from pickProblems) with that status, else `validation` (4xx) or `internal` (5xx).
 */
export function problemKindForStatus<K extends ProblemKind>(
  table: { readonly [P in K]: { readonly status: number } },
  status: number,
): K | 'validation' | 'internal' {
  for (const k of Object.keys(table) as K[]) if (table[k].status === status) return k;
  return status < 500 ? 'validation' : 'internal';
}

/** Most issues one response lists (a batch can have more); the detail says how many in all. */
export const MAX_REPORTED_ISSUES = 1_000;

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly FieldIssue[];
  /** Correlates an answer with its log line: a 5xx's id (edge), the request id (backplane). */
  readonly instance?: string;
}

/** The body of a problem; `errors` is capped at MAX_REPORTED_ISSUES. */
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

/**
 * The body of a 500: it says nothing of the failure but an `instance` id, which the app logs with
 * the error, so the answer leaks no internals and the log line is found from it.
 */
export function internalProblemBody(id: string): ProblemBody {
  return problemBody(
    'internal',
    'an unexpected error occurred; it has been logged',
    undefined,
    `urn:uuid:${id}`,
  );
}

export interface ProblemOptions {
  readonly errors?: readonly FieldIssue[];
  /** Response headers (`www-authenticate`, `retry-after`). */
  readonly headers?: Record<string, string>;
  readonly cause?: unknown;
}

/** An expected failure of a request; `code` is its problem kind. The app's onError renders it. */
export class ProblemError extends Error {
  readonly code: ProblemKind;
  readonly status: number;
  readonly errors: readonly FieldIssue[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(kind: ProblemKind, detail: string, options: ProblemOptions = {}) {
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

/**
 * Core's ProblemError, its constructor narrowed to one app's kinds (`K`, from its pickProblems
 * table): a kind an app throws is one its documents list. The same class, so `instanceof` holds
 * for every ProblemError.
 */
export function narrowProblemError<K extends ProblemKind>(): new (
  kind: K,
  detail: string,
  options?: ProblemOptions,
) => ProblemError {
  return ProblemError;
}

/** Status and headers of a problem's response: its content type, then `headers`. */
export function problemResponseInit(
  body: ProblemBody,
  headers: Record<string, string> = {},
): { status: number; headers: Record<string, string> } {
  return { status: body.status, headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers } };
}

/** A 400 listing every issue (capped), each named by JSON Pointer (`/events/3/amount`). */
export function validationProblem(issues: readonly FieldIssue[]): ProblemError {
  const n = issues.length;
  const first = issues[0];
  // "" is the whole document in JSON Pointer ("/" would be a member named ""): say so in words.
  const lead = first ? `${first.path || 'the body'}: ${first.message}` : 'invalid request';
  const shown = n > MAX_REPORTED_ISSUES ? ` (the first ${MAX_REPORTED_ISSUES} are listed)` : '';
  const detail = n <= 1 ? lead : `${n} problems, first ${lead}${shown}`;
  return new ProblemError('validation', detail, { errors: issues });
}
