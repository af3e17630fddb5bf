import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.js';

describe('RingBuffer', () => {
  it('keeps the newest `capacity` items, newest first', () => {
    const r = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i++) r.push(i);
    expect(r.size).toBe(3);
    expect(r.toArrayNewestFirst()).toEqual([5, 4, 3]);
    expect(r.newest(0)).toBe(5);
    expect(r.newest(2)).toBe(3);
    expect(r.newest(3)).toBeUndefined();
  });

  it('reports what each push overwrote', () => {
    const r = new RingBuffer<string>(2);
    expect(r.push('a')).toEqual({ position: 0, evicted: undefined });
    expect(r.push('b')).toEqual({ position: 1, evicted: undefined });
    expect(r.push('c')).toEqual({ position: 2, evicted: 'a' });
  });

  it('finds and replaces by absolute position only while the item is held', () => {
    const r = new RingBuffer<string>(2);
    r.push('a');
    r.push('b');
    expect(r.atPosition(0)).toBe('a');
    r.push('c');
    expect(r.atPosition(0)).toBeUndefined();
    expect(r.replaceAt(0, 'x')).toBe(false);
    expect(r.replaceAt(1, 'B')).toBe(true);
    expect(r.toArrayNewestFirst()).toEqual(['c', 'B']);
    expect(r.atPosition(3)).toBeUndefined();
  });

  it('clears, and refuses a capacity below one', () => {
    const r = new RingBuffer<number>(2);
    r.push(1);
    r.clear();
    expect(r.size).toBe(0);
    expect(r.toArrayNewestFirst()).toEqual([]);
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});
