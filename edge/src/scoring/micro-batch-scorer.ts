/**
 * Group commit for the model: concurrent requests share one ORT run.
 *
 * An onnxruntime-web session runs one inference at a time, and each run has a fixed cost far
 * above a row's (docs/measurements.md). So while a run is in flight, requests queue here; when it finishes, the
 * next run takes every queued row at once. An idle scorer waits only for the end of the current
 * event-loop turn, so requests read in the same turn share a run; under load the fixed cost is
 * shared by everything that queued meanwhile.
 */
import { N_FEATURES, type Scorer } from '@vigil/core';
import type { OrtScorer } from './ort-scorer.js';

/** Run after the current event-loop turn: setImmediate on Node, a zero timeout elsewhere. */
const defer: (fn: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (fn) =>
        void (globalThis as unknown as { setImmediate: (f: () => void) => unknown }).setImmediate(
          fn,
        )
    : (fn) => void setTimeout(fn, 0);

interface Waiting {
  readonly x: Float32Array;
  readonly rows: number;
  readonly out: Float32Array;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export class MicroBatchScorer implements OrtScorer {
  private readonly queue: Waiting[] = [];
  private running = false;
  private x: Float32Array;
  private out: Float32Array;

  /** `maxRows` caps one merged run; a larger request runs alone. */
  constructor(
    private readonly inner: Scorer & { release(): Promise<void> },
    private readonly maxRows = 2048,
  ) {
    this.x = new Float32Array(maxRows * N_FEATURES);
    this.out = new Float32Array(maxRows);
  }

  get version(): string {
    return this.inner.version;
  }

  score(x: Float32Array, rows: number, out: Float32Array): Promise<void> {
    if (rows === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ x, rows, out, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Wait for the rest of this turn of the event loop: the requests the server read in the
        // same turn join this run instead of each paying a run of its own.
        defer(() => void this.drain());
      }
    });
  }

  release(): Promise<void> {
    return this.inner.release();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        // Take queued requests while they fit; the first is taken whatever its size.
        let total = 0;
        let take = 0;
        while (
          take < this.queue.length &&
          (take === 0 || total + this.queue[take]!.rows <= this.maxRows)
        ) {
          total += this.queue[take]!.rows;
          take++;
        }
        const batch = this.queue.splice(0, take);
        if (batch.length === 1) {
          const w = batch[0]!;
          await this.inner.score(w.x, w.rows, w.out).then(w.resolve, w.reject);
          continue;
        }
        let at = 0;
        for (const w of batch) {
          this.x.set(w.x.subarray(0, w.rows * N_FEATURES), at * N_FEATURES);
          at += w.rows;
        }
        try {
          await this.inner.score(this.x, total, this.out);
          at = 0;
          for (const w of batch) {
            w.out.set(this.out.subarray(at, at + w.rows));
            at += w.rows;
            w.resolve();
          }
        } catch (e) {
          for (const w of batch) w.reject(e);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
