/**
 * Synthetic load for the browser benchmark: decisions at a chosen rate, serialised as hub frames,
 * parsed with the same parser as the socket's and handed to the same `ingest` as real frames — so a
 * headless Chromium can measure frame times at 2,000 decisions/s without a backend producing them.
 * Installed on `window.__vigilPerf`; harmless (it only adds rows to this page's own feed).
 */
import { parseHubFrame, REASON_CODES, type LiveDecision, type LiveItem } from '@vigil/core';

/** What the load needs of the feed store: its one entry point for live items. */
export interface FeedIngest {
  ingest(items: readonly LiveItem[]): void;
}

export interface InjectResult {
  readonly sent: number;
  readonly elapsedMs: number;
  /** Frames handed to the feed (the hub sends several events per frame). */
  readonly frames: number;
}

export interface FrameTimes {
  readonly frames: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Frames longer than 50 ms (a "long task" a user notices). */
  readonly longFrames: number;
}

export interface FeedLoad {
  /** Sends `n` synthetic decisions at `perSecond`; resolves when all are sent. */
  inject(n: number, perSecond: number): Promise<InjectResult>;
  /** Stops any running injection. */
  stop(): void;
  /** Records requestAnimationFrame intervals for `durationMs`. */
  measureFrames(durationMs: number): Promise<FrameTimes>;
}

export interface FeedLoadOptions {
  readonly now?: () => number;
  readonly setTimeout?: (fn: () => void, ms: number) => unknown;
  readonly requestFrame?: (fn: (t: number) => void) => unknown;
  /** Interval between synthetic frames (ms): the hub flushes every few ms under load. */
  readonly tickMs?: number;
  readonly random?: () => number;
}

const CODES = Object.entries(REASON_CODES).map(([feature, rc]) => ({ feature, code: rc.code }));

/** One synthetic decision: mostly approvals, a few reviews and declines, as live traffic looks. */
export function syntheticDecision(i: number, random: () => number, nowIso: string): LiveDecision {
  const r = random();
  const score = r < 0.96 ? random() * 0.2 : r < 0.985 ? 0.5 + random() * 0.3 : 0.8 + random() * 0.2;
  const decision = score >= 0.8 ? 'decline' : score >= 0.5 ? 'review' : 'approve';
  const reasons = [];
  for (let k = 0; k < 3; k++) {
    const c = CODES[Math.floor(random() * CODES.length)]!;
    reasons.push({
      code: c.code,
      feature: c.feature,
      contribution: Math.round(random() * 1e3) / 1e3,
    });
  }
  return {
    kind: 'decision',
    event_id: `perf-${i}`,
    transaction_id: `perf_${i}`,
    timestamp: nowIso,
    customer_id: `c_${Math.floor(random() * 5000)}`,
    terminal_id: `t_${Math.floor(random() * 10_000)}`,
    amount: Math.round(Math.exp(3 + random() * 2.5) * 100) / 100,
    currency: 'EUR',
    score: Math.round(score * 1e4) / 1e4,
    decision,
    reasons,
    model_version: 'perf',
    degraded: false,
    scored_at: nowIso,
    latency_ms: 0.3 + random(),
    runtime: 'perf',
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** The synthetic load over one feed. */
export function createFeedLoad(feed: FeedIngest, opts: FeedLoadOptions = {}): FeedLoad {
  const now = opts.now ?? (() => performance.now());
  const setT = opts.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
  const requestFrame = opts.requestFrame ?? ((fn) => requestAnimationFrame(fn));
  const tickMs = opts.tickMs ?? 10;
  const random = opts.random ?? Math.random;
  let counter = 0;
  let run = 0;

  return {
    inject(n, perSecond) {
      const myRun = ++run;
      const total = Math.max(0, Math.floor(n));
      const rate = Math.max(1, perSecond);
      const started = now();
      let sent = 0;
      let frames = 0;
      return new Promise<InjectResult>((resolve) => {
        const tick = (): void => {
          const due =
            run === myRun ? Math.min(total, Math.floor(((now() - started) * rate) / 1000)) : sent;
          if (due > sent) {
            const iso = new Date().toISOString();
            const items: LiveItem[] = [];
            for (; sent < due; sent++) {
              counter++;
              items.push({ seq: counter, event: syntheticDecision(counter, random, iso) });
            }
            // Through the wire format and the socket's parser, as a real frame would come.
            const frame = parseHubFrame(JSON.stringify({ type: 'events', items }));
            if (frame?.type === 'events') feed.ingest(frame.items);
            frames++;
          }
          if (sent >= total || run !== myRun) {
            resolve({ sent, elapsedMs: now() - started, frames });
            return;
          }
          setT(tick, tickMs);
        };
        tick();
      });
    },
    stop() {
      run++;
    },
    measureFrames(durationMs) {
      return new Promise<FrameTimes>((resolve) => {
        const deltas: number[] = [];
        let last: number | null = null;
        let begin: number | null = null;
        const step = (t: number): void => {
          if (last !== null) deltas.push(t - last);
          last = t;
          begin ??= t;
          if (t - begin < durationMs) {
            requestFrame(step);
            return;
          }
          const sorted = [...deltas].sort((a, b) => a - b);
          const sum = deltas.reduce((a, b) => a + b, 0);
          resolve({
            frames: deltas.length,
            meanMs: deltas.length ? sum / deltas.length : 0,
            p50Ms: percentile(sorted, 0.5),
            p95Ms: percentile(sorted, 0.95),
            p99Ms: percentile(sorted, 0.99),
            maxMs: sorted[sorted.length - 1] ?? 0,
            longFrames: deltas.filter((d) => d > 50).length,
          });
        };
        requestFrame(step);
      });
    },
  };
}

/** What the page exposes as `window.__vigilPerf`. */
export interface PerfHook extends FeedLoad {
  /** The feed store's counters: frames applied, events applied, events dropped. */
  counters(): { flushes: number; events: number; dropped: number };
  /** Rows the feed holds. */
  rows(): number;
}

declare global {
  interface Window {
    __vigilPerf?: PerfHook;
  }
}
