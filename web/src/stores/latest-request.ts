/**
 * A request that follows its input as it changes (the backtest as a rule is typed, the thresholds
 * preview as a slider moves): sent once the input has been still for `debounceMs`, the one in
 * flight cancelled by the next change (so a late answer never replaces a newer one), and a 429 —
 * the backplane runs one such request at a time per analyst — retried after its Retry-After (else
 * `retryMs`) while saying so, never shown as a failure.
 */
import { createSignal, type Accessor } from 'solid-js';
import { ApiError, errorMessage } from '../api/api-error.js';

export interface LatestRequestOptions<I, A> {
  readonly send: (input: I, signal: AbortSignal) => Promise<A>;
  readonly debounceMs: number;
  /** Wait before sending again after a 429 that gives no Retry-After. */
  readonly retryMs: number;
  /** Whether the input is worth sending, asked when the debounce ends; not: back to idle. */
  readonly ready?: (input: I) => boolean;
  readonly setTimeout?: (fn: () => void, ms: number) => unknown;
  readonly clearTimeout?: (h: unknown) => void;
}

/** Where the request stands. `busy`: the server said one is already running (429); retrying. */
export type RequestState = 'idle' | 'waiting' | 'running' | 'busy' | 'done' | 'failed';

export interface LatestRequest<I, A> {
  readonly state: Accessor<RequestState>;
  /** The answer to the last input sent; kept (stale) while a newer one is on its way. */
  readonly answer: Accessor<A | null>;
  /** The last failure (any but an abort or a 429), until the next answer. */
  readonly error: Accessor<ApiError | null>;
  /** Why it failed, in a sentence. */
  readonly message: Accessor<string | null>;
  /** Sends `input` once it has been the latest for `debounceMs`; null cancels everything. */
  set(input: I | null): void;
  /** Sends the latest input now. */
  flush(): void;
  dispose(): void;
}

export function createLatestRequest<I, A>(opts: LatestRequestOptions<I, A>): LatestRequest<I, A> {
  const setT = opts.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
  const clearT =
    opts.clearTimeout ??
    ((h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>));
  const [state, setState] = createSignal<RequestState>('idle');
  const [answer, setAnswer] = createSignal<A | null>(null);
  const [error, setError] = createSignal<ApiError | null>(null);
  const [message, setMessage] = createSignal<string | null>(null);
  let latest: I | null = null;
  let timer: unknown = null;
  let controller: AbortController | null = null;

  const stopTimer = (): void => {
    if (timer !== null) clearT(timer);
    timer = null;
  };
  const cancel = (): void => {
    stopTimer();
    controller?.abort();
    controller = null;
  };

  async function run(input: I): Promise<void> {
    const mine = new AbortController();
    controller = mine;
    setState('running');
    try {
      const a = await opts.send(input, mine.signal);
      if (controller !== mine) return;
      setAnswer(() => a);
      setError(null);
      setMessage(null);
      setState('done');
    } catch (err) {
      if (controller !== mine) return;
      if (err instanceof ApiError && err.code === 'aborted') return;
      if (err instanceof ApiError && err.status === 429) {
        setState('busy');
        timer = setT(() => {
          timer = null;
          if (controller === mine) void run(input);
        }, err.retryAfterMs ?? opts.retryMs);
        return;
      }
      setError(err instanceof ApiError ? err : null);
      setMessage(errorMessage(err));
      setState('failed');
    } finally {
      if (controller === mine && state() !== 'busy') controller = null;
    }
  }

  return {
    state,
    answer,
    error,
    message,
    set(input) {
      cancel();
      latest = input;
      if (input === null) {
        setState('idle');
        return;
      }
      setState('waiting');
      timer = setT(() => {
        timer = null;
        if (opts.ready && !opts.ready(input)) setState('idle');
        else void run(input);
      }, opts.debounceMs);
    },
    flush() {
      if (latest === null) return;
      cancel();
      void run(latest);
    },
    dispose() {
      cancel();
    },
  };
}
