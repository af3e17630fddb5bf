/**
 * Group commit for the consumer's Postgres writes. kafkajs hands the consumer one batch per topic
 * partition — a dozen small batches per fetch round at full load — and Postgres pays per statement
 * and per commit as much as per row (small statements cost more Postgres CPU per event:
 * docs/measurements.md). So the batches that arrive together are written together: each
 * caller's rows join the next write, at most `maxInFlight` writes run at once, and a write that is
 * waiting for a free slot keeps gathering rows (up to `maxRows`).
 *
 * Every caller still owns its batch: its promise settles when the write holding its rows has
 * committed or failed, and it commits its own offsets (or retries) exactly as if it had written
 * alone — the writes are idempotent, so a merged write that fails and is retried, whole or in
 * parts, changes nothing twice. A write that Postgres refuses for its data (`isDataError`) is split
 * back into the callers' batches, so one bad batch never fails its neighbours.
 *
 * (Hand-written: a queue and a counter; no library does "merge concurrent callers' arrays into one
 * call and fan the result back out" with the split-on-data-error rule this needs.)
 */

/** Writes the rows of the batches given, together; safe to repeat (idempotent). */
export type BatchesWriter<B> = (batches: readonly B[]) => Promise<void>;

export interface WriteCoalescerOptions<B> {
  /** Rows gathered into one write at most (a caller's batch is never split to fit). */
  readonly maxRows: number;
  /** Rows in a batch. */
  readonly rowsOf: (batch: B) => number;
  /** Writes running at once. */
  readonly maxInFlight: number;
  /** Whether an error is about the data (split the write back into its callers' batches). */
  readonly isDataError: (error: unknown) => boolean;
}

interface Part<B> {
  readonly batch: B;
  readonly rows: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class WriteCoalescer<B> {
  private readonly queue: Part<B>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly writer: BatchesWriter<B>,
    private readonly options: WriteCoalescerOptions<B>,
  ) {}

  /** Write `batch` in the next write; settles when that write has committed (or failed). */
  write(batch: B): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ batch, rows: this.options.rowsOf(batch), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    // One turn of the event loop, so that the batches of the same fetch round (handed to the
    // consumer one after another) join the same write.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
      const parts: Part<B>[] = [this.queue.shift()!];
      let rows = parts[0]!.rows;
      while (this.queue.length > 0 && rows + this.queue[0]!.rows <= this.options.maxRows) {
        const next = this.queue.shift()!;
        parts.push(next);
        rows += next.rows;
      }
      this.inFlight++;
      void this.run(parts).finally(() => {
        this.inFlight--;
        if (this.queue.length > 0) this.schedule();
      });
    }
  }

  private async run(parts: readonly Part<B>[]): Promise<void> {
    try {
      await this.writer(parts.map((p) => p.batch));
      for (const p of parts) p.resolve();
    } catch (error) {
      if (parts.length === 1 || !this.options.isDataError(error)) {
        for (const p of parts) p.reject(error);
        return;
      }
      // Some caller's rows are refused: each batch alone, so only that caller sees the error.
      for (const p of parts) {
        try {
          await this.writer([p.batch]);
          p.resolve();
        } catch (e) {
          p.reject(e);
        }
      }
    }
  }
}
