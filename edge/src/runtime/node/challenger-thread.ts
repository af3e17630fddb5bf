/**
 * The challenger off the event loop (Node): its ORT session lives in one worker thread per edge
 * process (challenger-worker.ts), created when a challenger is first served and kept. One batch is
 * at the worker at a time: the calls' rows wait while it is scored, then all that waited go as the
 * next batch (when the worker is idle, the rows of one turn of the event loop go at once) — one
 * typed array transferred (not copied) to the worker, the scores back the same way; then the
 * calls' events are emitted with `challenger` as before. Why one at a time: a CPU profile of the
 * saturated bench put most of the main thread's cost of a challenger in postMessage and the
 * garbage collector, per message and per buffer, not per row; a batch per turn sent ~1 row per
 * message under load, while waiting for the worker lets a batch grow to what came meanwhile, so
 * the messages (and their buffers and deadline timers) fall as the load rises.
 *
 * Bounded: rows accepted and not yet answered never exceed `maxRows` (past it a call is skipped),
 * and a batch unanswered after `deadlineMs` is skipped and its worker replaced; a worker that
 * fails or exits is respawned (at most once per `respawnDelayMs`) and the batches it held are
 * skipped. A skipped call's events go out at once without `challenger` — never lost, never late
 * by more than the bound — and are counted in `vigil_challenger_skipped_total` by reason.
 *
 * On Workers none of this exists: an isolate has one thread, so the challenger runs there after
 * the response, under waitUntil (scoring/challenger-scorer.ts's inlineChallenger).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { N_FEATURES } from '@vigil/core';
import type { Logger } from '../../app/app-context.js';
import { Counter, type MetricsSource } from '../../app/metrics.js';
import { inlineChallenger, type ChallengerScorer } from '../../scoring/challenger-scorer.js';
import type { ServedEntry, ServedModels } from '../../scoring/served-models.js';
import { parseFromWorker, type ToWorker } from './challenger-protocol.js';

export interface ChallengerThreadOptions {
  readonly log: Logger;
  /** Rows accepted and not yet scored beyond which a call is skipped (default 8,192). */
  readonly maxRows?: number;
  /** A batch not answered by then is skipped and the worker replaced (default 2,000 ms). */
  readonly deadlineMs?: number;
  /**
   * The same for a batch sent before the worker confirmed its model (thread start and ORT session
   * build: ~0.5 s alone, seconds on a busy machine); default 30,000 ms.
   */
  readonly loadDeadlineMs?: number;
  /** The least time between two starts of the worker (default 1,000 ms). */
  readonly respawnDelayMs?: number;
  /** Starts the worker (default: challenger-worker.ts); tests hand in one that fails. */
  readonly spawn?: () => Worker;
}

interface Part {
  readonly x: Float32Array;
  readonly rows: number;
  readonly resolve: (scores: Float32Array | null) => void;
}

interface Batch {
  readonly key: string;
  readonly entry: ServedEntry;
  readonly parts: Part[];
  rows: number;
  timer?: ReturnType<typeof setTimeout>;
}

type SkipReason = 'behind' | 'late' | 'failed';

/** The worker's source: TypeScript run through tsx, as the edge itself runs (npm run start:edge). */
export function spawnChallengerWorker(): Worker {
  const url = new URL('./challenger-worker.ts', import.meta.url);
  // An eval'd bootstrap registers tsx in the new thread, then imports the worker: Node 20's
  // loader flags do not reach worker threads, and a .ts entry cannot be loaded without them.
  // tsx's ESM API (its `import` export; require.resolve would name the CommonJS one).
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsx = pathToFileURL(join(dirname(pkg), 'dist/esm/api/index.mjs')).href;
  const boot = `import(${JSON.stringify(tsx)}).then((t) => t.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(url.href)}))`;
  return new Worker(boot, { eval: true, name: 'vigil-challenger' });
}

const keyOf = (e: ServedEntry) => `${e.metadata.version}@${e.sha256 ?? 'deployed'}`;

export class ChallengerThread implements ChallengerScorer, MetricsSource {
  private worker: Worker | null = null;
  /** The model the worker was last told to load, and the one it said it has loaded. */
  private loadedKey: string | null = null;
  private confirmedKey: string | null = null;
  private lastSpawn = -Infinity;
  /** Batches not yet sent, oldest first; calls join the last one when it is of their model. */
  private readonly queue: Batch[] = [];
  /** A flush is scheduled for the end of this turn of the event loop. */
  private flushing = false;
  private readonly inFlight = new Map<number, Batch>();
  private nextId = 1;
  /** Rows accepted and not yet answered (in this turn's batch or at the worker). */
  private pendingRows = 0;
  private closed = false;
  /** Resolves close()'s wait once no batch is in flight. */
  private drained: (() => void) | null = null;
  private readonly maxRows: number;
  private readonly deadlineMs: number;
  private readonly loadDeadlineMs: number;
  private readonly respawnDelayMs: number;
  private readonly skipped = new Counter(
    'vigil_challenger_skipped_total',
    "Transactions whose decision event went without the challenger's verdict: its thread was behind beyond its bound, late past its deadline, or failed.",
    [{ reason: 'behind' }, { reason: 'late' }, { reason: 'failed' }],
  );
  private readonly starts = new Counter(
    'vigil_challenger_worker_starts_total',
    "Starts of the challenger's worker thread (1 when it never failed).",
  );

  constructor(private readonly o: ChallengerThreadOptions) {
    this.maxRows = o.maxRows ?? 8_192;
    this.deadlineMs = o.deadlineMs ?? 2_000;
    this.loadDeadlineMs = o.loadDeadlineMs ?? 30_000;
    this.respawnDelayMs = o.respawnDelayMs ?? 1_000;
  }

  /** The holder's pair changed (ModelHolderDeps.onServe): load the new challenger, or drop it. */
  serve(models: ServedModels): void {
    const c = models.challenger;
    if (c === null) {
      if (this.worker && this.loadedKey !== null) this.post({ type: 'drop' });
      this.loadedKey = null;
      return;
    }
    // Loaded now, not at its first batch: the session is built before traffic needs it.
    if (c.onnx && this.ensureWorker()) this.load(c);
  }

  score(entry: ServedEntry, x: Float32Array, rows: number): Promise<Float32Array | null> {
    // A scorer without its bytes (a fixed one in tests) cannot be moved, and after close() the
    // last events of a shutdown are not worth a thread: scored here.
    if (!entry.onnx || this.closed) return inlineChallenger.score(entry, x, rows);
    if (this.pendingRows + rows > this.maxRows) {
      this.skipped.inc({ reason: 'behind' }, rows);
      return Promise.resolve(null);
    }
    const key = keyOf(entry);
    let batch = this.queue[this.queue.length - 1];
    if (!batch || batch.key !== key) {
      batch = { key, entry, parts: [], rows: 0 };
      this.queue.push(batch);
    }
    // With a batch at the worker, its answer sends this one; else the rest of this turn's calls
    // join it first (as the Node edge's MicroBatchScorer does).
    if (this.inFlight.size === 0 && !this.flushing) {
      this.flushing = true;
      setImmediate(this.flushTurn);
    }
    this.pendingRows += rows;
    batch.rows += rows;
    return new Promise((resolve) => batch.parts.push({ x, rows, resolve }));
  }

  /** Let the batches sent finish (each within its deadline), then stop the worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.inFlight.size > 0 || this.queue.length > 0) {
      await new Promise<void>((r) => (this.drained = r));
    }
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
  }

  render(out: string[]): void {
    this.skipped.render(out);
    this.starts.render(out);
  }

  private readonly flushTurn = () => {
    this.flushing = false;
    this.flush();
  };

  /** Send the oldest waiting batch, unless one is at the worker (its answer sends the next). */
  private flush(): void {
    if (this.inFlight.size > 0) return;
    const batch = this.queue.shift();
    if (!batch) return;
    if (!this.ensureWorker()) {
      // Settling sends the next one (which fails the same way until a worker may start).
      this.settle(batch, null, 'failed');
      return;
    }
    if (this.loadedKey !== batch.key) this.load(batch.entry);
    const x = new Float32Array(batch.rows * N_FEATURES);
    let at = 0;
    for (const p of batch.parts) {
      x.set(p.x.subarray(0, p.rows * N_FEATURES), at);
      at += p.rows * N_FEATURES;
    }
    const id = this.nextId++;
    this.inFlight.set(id, batch);
    const deadline = this.confirmedKey === batch.key ? this.deadlineMs : this.loadDeadlineMs;
    batch.timer = setTimeout(() => this.late(id, deadline), deadline);
    batch.timer.unref();
    this.post({ type: 'score', id, key: batch.key, rows: batch.rows, x }, [x.buffer]);
  }

  private load(e: ServedEntry): void {
    this.loadedKey = keyOf(e);
    this.confirmedKey = null;
    // A copy to transfer: the entry keeps its bytes (a respawned worker loads them again).
    const onnx = new Uint8Array(e.onnx!);
    this.post({ type: 'load', key: this.loadedKey, sha256: e.sha256, metadata: e.metadata, onnx }, [
      onnx.buffer,
    ]);
  }

  private post(m: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker?.postMessage(m, transfer);
  }

  /** The worker, started when missing (unless it died too recently); null when none may start. */
  private ensureWorker(): Worker | null {
    if (this.worker) return this.worker;
    if (this.closed || performance.now() - this.lastSpawn < this.respawnDelayMs) return null;
    this.lastSpawn = performance.now();
    this.loadedKey = null;
    this.confirmedKey = null;
    const w = (this.o.spawn ?? spawnChallengerWorker)();
    this.starts.inc();
    // The edge's exit does not wait for this thread.
    w.unref();
    w.on('message', (raw: unknown) => this.onMessage(raw));
    w.on('error', (error) => this.lost(w, error));
    w.on('exit', (code) => this.lost(w, new Error(`challenger worker exited with code ${code}`)));
    this.worker = w;
    return w;
  }

  private onMessage(raw: unknown): void {
    const m = parseFromWorker(raw);
    if (!m) return;
    if (m.type === 'loaded') {
      if (m.key === this.loadedKey) this.confirmedKey = m.key;
      return;
    }
    if (m.type === 'load-failed') {
      this.o.log({
        level: 'error',
        msg: 'challenger: the worker could not load it',
        key: m.key,
        error: m.message,
      });
      return;
    }
    const batch = this.inFlight.get(m.id);
    if (!batch) return;
    this.inFlight.delete(m.id);
    if (m.type === 'scores') this.settle(batch, m.scores, 'failed');
    else this.settle(batch, null, 'failed');
  }

  /** Answer a batch's calls with their slices of `scores`, or null (counted under `reason`). */
  private settle(batch: Batch, scores: Float32Array | null, reason: SkipReason): void {
    clearTimeout(batch.timer);
    this.pendingRows -= batch.rows;
    if (!scores || scores.length < batch.rows) {
      this.skipped.inc({ reason }, batch.rows);
      for (const p of batch.parts) p.resolve(null);
    } else {
      let at = 0;
      for (const p of batch.parts) {
        p.resolve(scores.subarray(at, at + p.rows));
        at += p.rows;
      }
    }
    // The rows that waited meanwhile go now.
    this.flush();
    if (this.inFlight.size === 0 && this.queue.length === 0) this.drained?.();
  }

  private failAll(reason: SkipReason): void {
    const batches = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const b of batches) this.settle(b, null, reason);
  }

  /** A batch past its deadline: the worker is stuck or far behind; replaced, its batches skipped. */
  private late(id: number, deadlineMs: number): void {
    if (!this.inFlight.has(id)) return;
    const w = this.worker;
    this.worker = null;
    // Terminated first: the batches waiting go to its replacement, not to it.
    void w?.terminate();
    this.failAll('late');
    this.o.log({
      level: 'warn',
      msg: 'challenger: the worker missed its deadline; replaced',
      deadlineMs,
    });
  }

  private lost(w: Worker, error: unknown): void {
    if (this.worker !== w) return;
    this.worker = null;
    this.failAll('failed');
    if (!this.closed)
      this.o.log({
        level: 'error',
        msg: 'challenger: the worker failed; respawned at the next batch',
        error,
      });
  }
}
