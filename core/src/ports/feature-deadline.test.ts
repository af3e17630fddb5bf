import { describe, expect, it } from 'vitest';
import { featureDeadlineMs } from './feature-deadline.js';

describe('featureDeadlineMs', () => {
  it('is the single-item limit for one item and grows by the per-item share after', () => {
    expect(featureDeadlineMs(30, 1)).toBe(30);
    expect(featureDeadlineMs(30, 0)).toBe(30);
    expect(featureDeadlineMs(30, 2)).toBe(31); // 30.5, rounded up to a whole timer tick
    expect(featureDeadlineMs(30, 1_000)).toBe(530);
    expect(featureDeadlineMs(50, 11, 2)).toBe(70);
  });

  it('keeps 0 as "no limit" whatever the batch', () => {
    expect(featureDeadlineMs(0, 1_000)).toBe(0);
  });
});
