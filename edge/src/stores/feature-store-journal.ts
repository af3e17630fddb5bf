/**
 * The persistence side of the embedded feature store. The memory store (memory-feature-store.ts)
 * keeps its working set in Maps and runs the port's logic there, once; a journal makes it survive
 * restarts by writing what each call changed — full values, not deltas — before the call's outcome
 * is returned, and hands everything back at the next start (`JournalSnapshot`). Two journals exist:
 * SQLite in the FeatureState Durable Object (Workers) and LMDB files (Node). Neither knows a
 * feature: states are opaque float64 arrays, records six fields and an answer.
 *
 * Why full values: a write that failed is simply retried with the next call's (the ids are kept,
 * the values read again), and a later write always carries the newest state, so order and retries
 * cannot leave an older value on disk.
 */
/** A record's label as stored: none, fraud, legitimate. */
export type JournalLabel = 0 | 1 | 2;

/** A transaction record as persisted: its payload, its label and its saved answer (if any). */
export interface JournalRecord {
  readonly customerId: string;
  readonly terminalId: string;
  /** Event time, epoch seconds. */
  readonly timeSec: number;
  readonly amount: number;
  readonly label: JournalLabel;
  /**
   * The time of the verdict in force, epoch µs (core's verdictTimeUs); null when there is none or
   * it is unknown. Journals written before verdict times were kept have no such field: it reads as
   * null, a verdict older than any dated one (core's UNKNOWN_VERDICT_TIME_US).
   */
  readonly labelTimeUs: number | null;
  readonly answer: string | null;
}

/** One entry: the id and its value after the call, or null when the call dropped it (expiry). */
export type JournalEntry<T> = readonly [id: string, value: T | null];

/** What one call (or several, after a failed write) changed. */
export interface JournalChanges {
  readonly customers: readonly JournalEntry<Float64Array>[];
  readonly terminals: readonly JournalEntry<Float64Array>[];
  readonly records: readonly JournalEntry<JournalRecord>[];
  /** Velocity states by `d:{device_id}`, `ip:{ip}` or `cv:{customer_id}`. */
  readonly velocity: readonly JournalEntry<Float64Array>[];
}

/** Where a persistent store writes its changes. */
export interface FeatureStoreJournal {
  /**
   * Write the changes atomically: all or none. Returns (or resolves) once they survive a crash of
   * this process; throws (or rejects) when they could not be written.
   */
  write(changes: JournalChanges): void | Promise<void>;
  /** Release the files or handles; later writes fail. */
  close(): Promise<void>;
}

/**
 * Everything a journal holds, read back at start-up: states as their stored bytes (checked by the
 * store against core's layout), records as read (checked by the store with checkJournalRecord).
 */
export interface JournalSnapshot {
  readonly customers: Iterable<readonly [string, Uint8Array]>;
  readonly terminals: Iterable<readonly [string, Uint8Array]>;
  readonly records: Iterable<readonly [string, unknown]>;
  /** Velocity states (JournalChanges.velocity); journals written before them have none. */
  readonly velocity?: Iterable<readonly [string, Uint8Array]>;
}

/** What a restore took and what it left out. */
export interface RestoreReport {
  readonly customers: number;
  readonly terminals: number;
  readonly records: number;
  /**
   * Rows that were not what this code writes (a state of another layout, a damaged record) and
   * were left out: a state of another length reads as fresh, as the Redis stores treat one.
   */
  readonly skipped: number;
}

/** A record read from storage, checked field by field (a border: rows are validated). */
export function checkJournalRecord(v: unknown): JournalRecord | null {
  if (typeof v !== 'object' || v === null) return null;
  const r = v as Record<string, unknown>;
  const ok =
    typeof r.customerId === 'string' &&
    typeof r.terminalId === 'string' &&
    typeof r.timeSec === 'number' &&
    Number.isFinite(r.timeSec) &&
    typeof r.amount === 'number' &&
    Number.isFinite(r.amount) &&
    (r.label === 0 || r.label === 1 || r.label === 2) &&
    (r.labelTimeUs === undefined ||
      r.labelTimeUs === null ||
      (typeof r.labelTimeUs === 'number' && Number.isFinite(r.labelTimeUs))) &&
    (r.answer === null || typeof r.answer === 'string');
  if (!ok) return null;
  return {
    customerId: r.customerId as string,
    terminalId: r.terminalId as string,
    timeSec: r.timeSec as number,
    amount: r.amount as number,
    label: r.label as JournalLabel,
    labelTimeUs: (r.labelTimeUs as number | null | undefined) ?? null,
    answer: r.answer as string | null,
  };
}

/** A stored state's bytes as a state of `length` float64s, or null when it is another layout. */
export function stateOf(bytes: Uint8Array, length: number): Float64Array | null {
  if (bytes.byteLength !== length * 8) return null;
  // A copy: the bytes may be a view into a database page or an unaligned buffer.
  const state = new Float64Array(length);
  new Uint8Array(state.buffer).set(bytes);
  return state;
}

/** A state's bytes, copied (the live state keeps changing after the call). */
export function stateBytes(state: Float64Array): Uint8Array {
  return new Uint8Array(state.buffer.slice(state.byteOffset, state.byteOffset + state.byteLength));
}
