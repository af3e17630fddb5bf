import { N_FEATURES } from '@vigil/core';

/** A feature matrix and its scores, `capacity` rows each. */
export interface RowBuffer {
  readonly capacity: number;
  readonly x: Float32Array;
  readonly out: Float32Array;
}

/** Free buffers kept per size class; more than this many in flight allocate and are dropped. */
const KEEP = 16;

/**
 * Per-isolate feature-row buffers, reused across requests. A pool, not one shared buffer: scoring
 * awaits the store and the model, so concurrent requests each need their own rows while in flight.
 * Two size classes: single rows (the hot path) and full batches.
 */
export class RowBuffers {
  private readonly single: RowBuffer[] = [];
  private readonly batch: RowBuffer[] = [];

  constructor(private readonly maxRows: number) {}

  acquire(rows: number): RowBuffer {
    if (rows <= 1) return this.single.pop() ?? make(1);
    if (rows > this.maxRows) return make(rows);
    return this.batch.pop() ?? make(this.maxRows);
  }

  release(b: RowBuffer): void {
    const free = b.capacity === 1 ? this.single : b.capacity === this.maxRows ? this.batch : null;
    if (free && free.length < KEEP) free.push(b);
  }
}

function make(capacity: number): RowBuffer {
  return {
    capacity,
    x: new Float32Array(capacity * N_FEATURES),
    out: new Float32Array(capacity),
  };
}
