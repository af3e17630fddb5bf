/**
 * Calls from the backplane to the edge's scoring API with its bearer key: verdicts to
 * POST /v1/feedback, simulated traffic to POST /v1/score and /v1/score/batch. Failures are values
 * (`EdgeReply`), never thrown: every caller reports them rather than failing its own request.
 */
import type { Logger } from 'pino';

export type EdgeReply =
  | { readonly ok: true; readonly status: number; readonly body: unknown }
  | {
      readonly ok: false;
      /** The edge's HTTP status, or null when it could not be reached. */
      readonly status: number | null;
      readonly detail: string;
      readonly body?: unknown;
    };

export interface EdgePostOptions {
  /** Tries in all, for network errors, timeouts, 429 and 5xx (default 1). */
  readonly attempts?: number;
  /** Per try, ms (default 5,000). */
  readonly timeoutMs?: number;
  /** Pause before the second try, ms; doubled for each later one (default 200). */
  readonly backoffMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function retryable(status: number | null): boolean {
  return status === null || status === 429 || status >= 500;
}

/** A client for one edge origin. */
export class EdgeClient {
  private readonly base: string;
  private readonly apiKey: string;

  constructor(
    edge: { readonly url: string; readonly apiKey: string },
    private readonly fetchFn: typeof fetch = globalThis.fetch,
    private readonly log?: Logger,
  ) {
    this.base = edge.url.replace(/\/+$/, '');
    this.apiKey = edge.apiKey;
  }

  /** POST a JSON body; 2xx is ok, anything else is reported with the edge's problem detail. */
  async post(path: string, body: unknown, opts: EdgePostOptions = {}): Promise<EdgeReply> {
    const attempts = Math.max(1, opts.attempts ?? 1);
    let backoff = opts.backoffMs ?? 200;
    let last: EdgeReply = { ok: false, status: null, detail: 'not tried' };
    for (let i = 0; i < attempts; i++) {
      if (i > 0) {
        await sleep(backoff);
        backoff *= 2;
      }
      last = await this.once(path, body, opts.timeoutMs ?? 5_000);
      if (last.ok || !retryable(last.status)) return last;
    }
    return last;
  }

  private async once(path: string, body: unknown, timeoutMs: number): Promise<EdgeReply> {
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      this.log?.debug({ path, err: e }, 'edge call failed');
      return { ok: false, status: null, detail: `the edge could not be reached (${detail})` };
    }
    let parsed: unknown = null;
    try {
      const text = await res.text();
      parsed = text === '' ? null : (JSON.parse(text) as unknown);
    } catch {
      parsed = null;
    }
    if (res.ok) return { ok: true, status: res.status, body: parsed };
    return {
      ok: false,
      status: res.status,
      detail: describeProblem(res.status, parsed),
      body: parsed,
    };
  }
}

/** "HTTP 404: unknown transaction_id …" from a problem+json body, or just the status. */
function describeProblem(status: number, body: unknown): string {
  const detail =
    typeof body === 'object' && body !== null && 'detail' in body && typeof body.detail === 'string'
      ? `: ${body.detail.slice(0, 300)}`
      : '';
  return `the edge answered HTTP ${status}${detail}`;
}
