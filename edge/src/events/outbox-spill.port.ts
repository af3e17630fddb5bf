/**
 * Where the Node outbox (OutboxEventSink) puts the events it cannot hold in memory: past its
 * capacity during an outage, and what is undelivered when it closes. A port so that the sink stays
 * free of `node:*` (it is shared code, typechecked without Node); the Node runtime implements it
 * on disk (runtime/node/file-outbox-spill.ts).
 *
 * The contract the sink relies on: append() adds after everything, read() hands back the oldest
 * first, and nothing read is forgotten until settle() says so — a crash between read-back and
 * delivery leaves the events where they were, to be read (and delivered) again.
 */
import type { VigilEvent } from '@vigil/core';

/** Events read back from one segment of the spill, oldest first. */
export interface SpillRead {
  readonly events: VigilEvent[];
  /** The segment they came from: hand it to settle() once they are delivered or given up. */
  readonly segment: number;
  /** Lines read that were not events (torn by a crash, or corrupt): lost, to be counted. */
  readonly lost: number;
}

export interface OutboxSpill {
  /** Where it is (the directory), for log lines. */
  readonly where: string;
  /** Most bytes it holds (VIGIL_OUTBOX_SPILL_MAX_BYTES); appends past it are refused. */
  readonly maxBytes: number;
  /** Events appended and not yet read back. */
  readonly unread: number;
  /** Bytes it holds now. */
  readonly bytes: number;
  /**
   * Append `events` after everything else, in one write. Resolves with how many were written — a
   * prefix; the rest did not fit under maxBytes. Rejects on an IO error (then none were).
   */
  append(events: readonly VigilEvent[]): Promise<number>;
  /** Take back up to `max` of the oldest unread events (some, when there are any). */
  read(max: number): Promise<SpillRead>;
  /** `count` events read from `segment` are done with; a segment goes once all of its are. */
  settle(segment: number, count: number): Promise<void>;
  /**
   * Keep `head` — events read back but undelivered, oldest first, with the segment each came from
   * (`origins`, 0 for none) — ahead of everything still spilled, for the next start; then let go
   * of the spill (its directory's lock). Nothing may be called after.
   */
  close(head: readonly VigilEvent[], origins: readonly number[]): Promise<void>;
}
