/**
 * The analysts' long reads over the stored decisions — the rule backtest (POST /rules/backtest),
 * the thresholds preview (POST /thresholds/preview) and the model comparison (GET
 * /models/compare) — bounded alike (issue 16, point 3): one at a time per analyst, counted
 * together (a second, of any kind → 429 with Retry-After), and each stopped past
 * VIGIL_BACKTEST_TIMEOUT_MS (its own clock between pages, or Postgres's statement_timeout on the
 * backtest pool) → 503. All run over the backtest's own pool (main.ts), so none holds a
 * connection the consumer or the dashboard waits for.
 */
import { ProblemError } from '../http/problem.js';

/** What a second read of the same analyst is told to wait (the dashboard debounces). */
export const RETRY_AFTER_S = 2;
/** Postgres's SQLSTATE for a statement cancelled by statement_timeout. */
const QUERY_CANCELED = '57014';

/** Thrown between pages once a read has run past its limit. */
class PastLimit extends Error {}

/**
 * The analysts with a long read running. One instance per API app, shared by both routes: an
 * in-process set (the limit is per backplane process, as the pool it protects).
 */
export class OneReadPerAnalyst {
  private readonly running = new Set<string>();

  /**
   * Run `work` for `analyst`, or refuse it with a 429 while another of theirs runs. `what` names
   * the read in a 503 when it runs past `timeoutMs`; `work` gets the check to call between pages.
   */
  async run<T>(
    analyst: string,
    read: { readonly what: string; readonly timeoutMs: number; readonly signal: AbortSignal },
    work: (betweenPages: () => void) => Promise<T>,
  ): Promise<T> {
    if (this.running.has(analyst)) {
      throw new ProblemError(
        'too-many-requests',
        'a backtest or thresholds preview of yours is still running (or a model comparison): one at a time per analyst',
        { headers: { 'retry-after': String(RETRY_AFTER_S) } },
      );
    }
    this.running.add(analyst);
    const t0 = performance.now();
    const betweenPages = () => {
      // A client gone (the dashboard sends a newer request as the analyst types): stop reading.
      if (read.signal.aborted) {
        throw new ProblemError('unavailable', `the ${read.what} stopped: the client went away`, {
          cause: read.signal.reason,
        });
      }
      if (performance.now() - t0 > read.timeoutMs) throw new PastLimit();
    };
    try {
      return await work(betweenPages);
    } catch (e) {
      if (e instanceof PastLimit || (e as { code?: unknown }).code === QUERY_CANCELED) {
        throw new ProblemError(
          'unavailable',
          `the ${read.what} ran past its limit of ${read.timeoutMs} ms ` +
            '(VIGIL_BACKTEST_TIMEOUT_MS): try a shorter window',
          { cause: e },
        );
      }
      throw e;
    } finally {
      this.running.delete(analyst);
    }
  }
}
