import { describe, expect, it } from 'vitest';
import { neighbourCase } from './workspace-keys.js';

describe('neighbourCase', () => {
  const ids = ['tx_a', 'tx_b', 'tx_c'];
  it('steps from the open case, and stops at the ends', () => {
    expect(neighbourCase(ids, 'tx_a', 1)).toBe('tx_b');
    expect(neighbourCase(ids, 'tx_b', -1)).toBe('tx_a');
    expect(neighbourCase(ids, 'tx_c', 1)).toBeNull();
    expect(neighbourCase(ids, 'tx_a', -1)).toBeNull();
  });
  it('starts at the top (j) or the bottom (k) when no case of the queue is open', () => {
    expect(neighbourCase(ids, null, 1)).toBe('tx_a');
    expect(neighbourCase(ids, 'tx_elsewhere', -1)).toBe('tx_c');
    expect(neighbourCase([], null, 1)).toBeNull();
  });
});
