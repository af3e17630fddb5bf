/**
 * Queues items as they arrive and applies them at most once per animation frame, inside Solid's
 * `batch`, so 2,000 events a second cost one reactive update per frame rather than one per event.
 */
import { batch } from 'solid-js';

/** Runs `fn` once, soon (the next frame in a browser); returns a cancel function. */
export type Scheduler = (fn: () => void) => () => void;

export interface FrameSchedulerOptions {
  /**
   * Least time between two runs (ms). 0: every frame. A live list that changes 60 times a second
   * is unreadable anyway; fewer, larger updates leave the main thread to input and scrolling.
   */
  readonly minIntervalMs?: number;
  /** A hidden tab gets no frames: its queue still drains on this timer (ms). */
  readonly fallbackMs?: number;
  readonly now?: () => number;
}

/**
 * requestAnimationFrame, at most once per `minIntervalMs`, with a timer as a fallback: a hidden
 * tab gets no frames, and its queue must still drain (at the throttled timer rate) instead of
 * growing without bound.
 */
export function frameScheduler(opts: FrameSchedulerOptions = {}): Scheduler {
  const minInterval = opts.minIntervalMs ?? 0;
  const fallbackMs = opts.fallbackMs ?? 250;
  const now = opts.now ?? (() => performance.now());
  let lastRun = -Infinity;
  return (fn) => {
    let done = false;
    let raf = 0;
    const run = (): void => {
      if (done) return;
      done = true;
      cancelAnimationFrame(raf);
      clearTimeout(fallback);
      clearTimeout(delay);
      lastRun = now();
      fn();
    };
    const wait = minInterval - (now() - lastRun);
    // Past the interval: the next frame. Within it: a timer to its end, then the next frame.
    const delay =
      wait > 0
        ? setTimeout(() => {
            raf = requestAnimationFrame(run);
          }, wait)
        : undefined;
    if (wait <= 0) raf = requestAnimationFrame(run);
    const fallback = setTimeout(run, Math.max(fallbackMs, wait + fallbackMs));
    return () => {
      done = true;
      cancelAnimationFrame(raf);
      clearTimeout(fallback);
      clearTimeout(delay);
    };
  };
}

export interface FrameBatcherOptions<T> {
  /** Applies one frame's worth of items (oldest first). Runs inside `batch`. */
  readonly apply: (items: T[]) => void;
  readonly schedule: Scheduler;
  /** The queue's bound; past it the oldest items are dropped and `onOverflow` is told how many. */
  readonly maxQueued?: number;
  readonly onOverflow?: (dropped: number) => void;
}

export interface FrameBatcher<T> {
  push(items: readonly T[]): void;
  /** Applies whatever is queued now (tests; teardown). */
  flush(): void;
  /** Drops the queue and any scheduled flush. */
  clear(): void;
  /** Items waiting for the next frame. */
  readonly pending: () => number;
}

export function createFrameBatcher<T>(opts: FrameBatcherOptions<T>): FrameBatcher<T> {
  const maxQueued = opts.maxQueued ?? 50_000;
  let queue: T[] = [];
  let cancel: (() => void) | null = null;

  function flush(): void {
    cancel = null;
    if (queue.length === 0) return;
    const items = queue;
    queue = [];
    batch(() => opts.apply(items));
  }

  return {
    push(items) {
      for (const it of items) queue.push(it);
      if (queue.length > maxQueued) {
        const dropped = queue.length - maxQueued;
        queue.splice(0, dropped);
        opts.onOverflow?.(dropped);
      }
      if (cancel === null && queue.length > 0) cancel = opts.schedule(flush);
    },
    flush() {
      cancel?.();
      flush();
    },
    clear() {
      cancel?.();
      cancel = null;
      queue = [];
    },
    pending: () => queue.length,
  };
}
