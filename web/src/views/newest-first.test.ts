import { describe, expect, it } from 'vitest';
import { newestFirst } from './newest-first.js';

describe('newestFirst', () => {
  it('orders by instant, not by the string, and leaves the input alone', () => {
    const rows = [
      { id: 'a', timestamp: '2024-01-01T10:00:00Z' },
      { id: 'b', timestamp: '2024-01-02T09:00:00+02:00' }, // 07:00Z on the 2nd
      { id: 'c', timestamp: '2024-01-02T08:00:00Z' },
    ];
    expect(newestFirst(rows).map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });
});
