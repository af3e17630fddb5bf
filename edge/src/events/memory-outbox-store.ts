/**
 * The outbox store in memory: what the Node edge uses with VIGIL_OUTBOX_DIR=off (events do not
 * survive a restart) and the drills' sender. At most `capacity` events; past it new ones are
 * refused, as the durable stores refuse them.
 */
import type { VigilEvent } from '@vigil/core';
import type { AppendResult, OutboxRow, OutboxStore } from './outbox.js';

export class MemoryOutboxStore implements OutboxStore {
  private rows: OutboxRow[] = [];
  private head = 0;
  private seq = 0;

  constructor(private readonly capacity: number) {}

  append(events: readonly VigilEvent[]): AppendResult {
    const room = Math.max(0, this.capacity - this.depth());
    const stored = Math.min(room, events.length);
    const at = Date.now();
    for (let i = 0; i < stored; i++) {
      this.rows.push({ seq: ++this.seq, json: JSON.stringify(events[i]), at });
    }
    return { stored, refused: events.length - stored };
  }

  oldest(limit: number): readonly OutboxRow[] {
    return this.rows.slice(this.head, this.head + limit);
  }

  settle(rows: readonly OutboxRow[]): void {
    const gone = new Set(rows.map((r) => r.seq));
    // The drain settles a prefix of what it read, nearly always the head: a cheap cut then.
    while (this.head < this.rows.length && gone.has(this.rows[this.head]!.seq)) this.head++;
    if (this.rows.slice(this.head).some((r) => gone.has(r.seq))) {
      this.rows = this.rows.slice(this.head).filter((r) => !gone.has(r.seq));
      this.head = 0;
    } else if (this.head > 4_096 && this.head * 2 > this.rows.length) {
      this.rows = this.rows.slice(this.head);
      this.head = 0;
    }
  }

  depth(): number {
    return this.rows.length - this.head;
  }
}
