/**
 * The Node outbox's way to its spill: the newest events, those past the memory queue's capacity or
 * behind events already spilled, wait here in order and are appended to the spill one append at a
 * time — `flushMs` after the first of them arrived, or at once when a full append waits — so that
 * one write carries what arrived meanwhile and `emit` never waits for the disk.
 */
import type { VigilEvent } from '@vigil/core';
import type { DropReason } from './delivery-metrics.js';
import type { OutboxSpill } from './outbox-spill.port.js';

/** Most events one append carries (~8 MB of decision events). */
export const SPILL_WRITE_MAX = 5_000;

export interface SpillOverflowHooks {
  /** An append ended (whatever came of it). */
  written(): void;
  dropped(reason: DropReason, n: number, msg: string, fields: object): void;
}

export class SpillOverflow {
  private waiting: VigilEvent[] = [];
  private writing: Promise<void> | null = null;
  private writingCount = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly spill: OutboxSpill,
    private readonly flushMs: number,
    /** For the drop message. */
    private readonly backplaneUrl: string,
    private readonly hooks: SpillOverflowHooks,
  ) {}

  /** Events not on disk yet: waiting and being appended. */
  get size(): number {
    return this.waiting.length + this.writingCount;
  }

  /** The append under way, if any: its events are older than those waiting. */
  get landing(): Promise<void> | null {
    return this.writing;
  }

  /** Queue `events` behind those waiting. */
  push(events: readonly VigilEvent[], from = 0): void {
    for (let i = from; i < events.length; i++) this.waiting.push(events[i]!);
    this.schedule();
  }

  /** Up to `max` of the oldest waiting events, taken back; none while an append is under way. */
  take(max: number): VigilEvent[] {
    if (this.writing || max <= 0) return [];
    return this.waiting.splice(0, max);
  }

  /** Append everything waiting, now, and wait for it (close). */
  async flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (;;) {
      if (this.writing) await this.writing;
      else if (this.waiting.length > 0) this.write();
      else return;
    }
  }

  private schedule(): void {
    if (this.writing || this.waiting.length === 0) return;
    if (this.waiting.length >= SPILL_WRITE_MAX) {
      this.write();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.write();
      }, this.flushMs);
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  private write(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing || this.waiting.length === 0) return;
    const spill = this.spill;
    const chunk = this.waiting.splice(0, SPILL_WRITE_MAX);
    this.writingCount = chunk.length;
    this.writing = spill.append(chunk).then(
      (written) => {
        if (written < chunk.length) {
          this.hooks.dropped(
            'outbox_full',
            chunk.length - written,
            `event outbox: disk spill full (VIGIL_OUTBOX_SPILL_MAX_BYTES=${spill.maxBytes}): ` +
              `dropped the newest events; the backplane at ${this.backplaneUrl} is not taking them`,
            { where: spill.where },
          );
        }
        this.done();
      },
      (error: unknown) => {
        this.hooks.dropped(
          'outbox_unavailable',
          chunk.length,
          'event outbox: cannot write to the disk spill; dropped',
          { where: spill.where, error },
        );
        this.done();
      },
    );
  }

  private done(): void {
    this.writing = null;
    this.writingCount = 0;
    this.hooks.written();
    this.schedule();
  }
}
