/**
 * A fixed-capacity buffer of the newest items: pushing past capacity overwrites the oldest. Every
 * push gets an absolute position (0, 1, 2, … for ever) so an index elsewhere can find an item again
 * in O(1) — or learn that it has been overwritten.
 */
export class RingBuffer<T> {
  readonly capacity: number;
  private readonly slots: (T | undefined)[];
  /** Items ever pushed: the next absolute position. */
  private total = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be ≥ 1');
    this.capacity = capacity;
    this.slots = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return Math.min(this.total, this.capacity);
  }

  /** Absolute position of the oldest item still held. */
  get firstPosition(): number {
    return this.total - this.size;
  }

  /** Appends `item` as the newest; returns its absolute position and the item it overwrote. */
  push(item: T): { position: number; evicted: T | undefined } {
    const position = this.total++;
    const slot = position % this.capacity;
    const evicted = position >= this.capacity ? this.slots[slot] : undefined;
    this.slots[slot] = item;
    return { position, evicted };
  }

  /** The item at an absolute position, if still held. */
  atPosition(position: number): T | undefined {
    if (position < this.firstPosition || position >= this.total) return undefined;
    return this.slots[position % this.capacity];
  }

  /** Replaces the item at an absolute position; false if it is no longer held. */
  replaceAt(position: number, item: T): boolean {
    if (position < this.firstPosition || position >= this.total) return false;
    this.slots[position % this.capacity] = item;
    return true;
  }

  /** The i-th newest item (0 = newest). */
  newest(i: number): T | undefined {
    if (i < 0 || i >= this.size) return undefined;
    return this.slots[(this.total - 1 - i) % this.capacity];
  }

  /** All held items, newest first. */
  toArrayNewestFirst(): T[] {
    const n = this.size;
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = this.slots[(this.total - 1 - i) % this.capacity] as T;
    return out;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.total = 0;
  }
}
