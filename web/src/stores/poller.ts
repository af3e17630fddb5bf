/**
 * Calls `tick` every `intervalMs`, never two at once: the next call is scheduled when the last one
 * settles, so a slow server is not stacked with requests.
 */
export interface PollerOptions {
  readonly intervalMs: number;
  readonly tick: () => Promise<void>;
  readonly setTimeout?: (fn: () => void, ms: number) => unknown;
  readonly clearTimeout?: (h: unknown) => void;
}

export interface Poller {
  start(): void;
  stop(): void;
  /** Polls now (and restarts the interval). */
  now(): Promise<void>;
  readonly running: () => boolean;
}

export function createPoller(opts: PollerOptions): Poller {
  const setT = opts.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
  const clearT =
    opts.clearTimeout ??
    ((h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>));
  let running = false;
  let timer: unknown = null;
  let inFlight: Promise<void> | null = null;
  let generation = 0;

  function schedule(gen: number): void {
    if (!running || gen !== generation) return;
    timer = setT(() => {
      timer = null;
      void run(gen);
    }, opts.intervalMs);
  }

  async function run(gen: number): Promise<void> {
    if (inFlight) {
      // One call at a time: let the running one settle, then poll afresh for this generation.
      await inFlight;
      if (gen === generation && running) await run(gen);
      return;
    }
    inFlight = opts.tick().catch(() => undefined);
    try {
      await inFlight;
    } finally {
      inFlight = null;
    }
    schedule(gen);
  }

  return {
    start() {
      if (running) return;
      running = true;
      void run(++generation);
    },
    stop() {
      running = false;
      generation++;
      if (timer !== null) clearT(timer);
      timer = null;
    },
    async now() {
      if (timer !== null) clearT(timer);
      timer = null;
      await run(++generation);
    },
    running: () => running,
  };
}
