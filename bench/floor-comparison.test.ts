import { describe, expect, it } from 'vitest';
import { freshBodies } from './floor-comparison.js';

describe('freshBodies', () => {
  it('never repeats a transaction_id once the bodies are used up', () => {
    const bodies = [
      '{"transactions":[{"transaction_id":"R1_0"},{"transaction_id":"R1_1"}]}',
      '{"transactions":[{"transaction_id":"R1_2"}]}',
    ];
    const next = freshBodies(bodies, 'R1');
    const ids = Array.from({ length: 6 }, (_, i) =>
      [...next(i).matchAll(/"transaction_id":"([^"]+)"/g)].map((m) => m[1]),
    ).flat();
    expect(next(0)).toBe(bodies[0]);
    expect(ids).toHaveLength(9);
    expect(new Set(ids).size).toBe(9);
    expect(next(3)).toBe('{"transactions":[{"transaction_id":"R1r1_2"}]}');
  });
});
