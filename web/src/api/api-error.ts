/** One field problem of a validation error (RFC 9457 extension the API uses). */
export interface ProblemFieldError {
  readonly path: string;
  readonly message: string;
}

/** An application/problem+json body as the API sends it. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string | undefined;
  readonly errors?: readonly ProblemFieldError[] | undefined;
}

/**
 * Why a request failed: `http` (the server answered with an error status), `network` (no answer at
 * all), `invalid_response` (an answer this dashboard does not understand), `aborted`.
 */
export type ApiErrorCode = 'http' | 'network' | 'invalid_response' | 'aborted';

/** The one error type the API client throws. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode;
  /** HTTP status; 0 when there was no answer. */
  readonly status: number;
  readonly problem: Problem | null;
  /** The answer's Retry-After in ms (a 429 or 503 says when to ask again); null without one. */
  readonly retryAfterMs: number | null;

  constructor(
    code: ApiErrorCode,
    status: number,
    problem: Problem | null,
    message: string,
    cause?: unknown,
    retryAfterMs: number | null = null,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.status = status;
    this.problem = problem;
    this.retryAfterMs = retryAfterMs;
  }

  /** The field errors of a validation problem (empty otherwise). */
  get fieldErrors(): readonly ProblemFieldError[] {
    return this.problem?.errors ?? [];
  }
}

/** A Retry-After header in delay-seconds form as ms; null when absent or a date. */
export function retryAfterMs(header: string | null): number | null {
  if (header === null || !/^\d+$/.test(header.trim())) return null;
  return Number(header.trim()) * 1000;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A problem+json body, or null when `body` is not one. Unknown extension members are ignored. */
export function parseProblem(body: unknown): Problem | null {
  if (!isRecord(body)) return null;
  const { type, title, status, detail, errors } = body;
  if (typeof title !== 'string' || typeof status !== 'number') return null;
  const fieldErrors: ProblemFieldError[] = [];
  if (Array.isArray(errors)) {
    for (const e of errors as unknown[]) {
      if (isRecord(e) && typeof e.message === 'string') {
        fieldErrors.push({ path: typeof e.path === 'string' ? e.path : '', message: e.message });
      }
    }
  }
  return {
    type: typeof type === 'string' ? type : 'about:blank',
    title,
    status,
    detail: typeof detail === 'string' ? detail : undefined,
    errors: fieldErrors.length > 0 ? fieldErrors : undefined,
  };
}

/**
 * The sentence to show for a failed response: the problem's detail, else its title, else the status;
 * then the field errors the detail does not already say (a one-field validation problem's detail is
 * that field's `path: message`, which is shown once, not twice).
 */
export function problemMessage(
  status: number,
  statusText: string,
  problem: Problem | null,
): string {
  if (problem) {
    const base = problem.detail ?? problem.title;
    const fields = (problem.errors ?? [])
      .map((e) => (e.path ? `${e.path}: ${e.message}` : e.message))
      .filter((f) => !base.includes(f));
    return fields.length > 0 ? `${base} (${fields.join('; ')})` : base;
  }
  return statusText ? `${status} ${statusText}` : `HTTP ${status}`;
}

/** A short sentence for any error a store catches, for the UI. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'network') return 'The server could not be reached. Check the connection.';
    return err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
