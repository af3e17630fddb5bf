import { FEATURE_NAMES, N_FEATURES } from '@vigil/core';
import { simulate } from '@vigil/sim';
import { describe, expect, it } from 'vitest';
import { replayFeatures } from './replay-features.js';

const KNOWN = FEATURE_NAMES.indexOf('customer_known_frauds_30d');
const DAY = 86_400;

describe('replayFeatures with label times', () => {
  it('applies a label when it became known, not a fixed delay after the fraud', () => {
    const ds = {
      length: 3,
      timeSec: Float64Array.from([0, 2 * DAY, 8 * DAY]),
      customer: Int32Array.from([0, 0, 0]),
      terminal: Int32Array.from([0, 0, 0]),
      amount: Float64Array.from([10, 10, 10]),
      isFraud: Uint8Array.from([1, 0, 0]),
    };
    const delayed = replayFeatures(ds);
    expect(delayed[1 * N_FEATURES + KNOWN]).toBe(0);
    expect(delayed[2 * N_FEATURES + KNOWN]).toBe(1);
    const early = replayFeatures({ ...ds, labelTimeSec: Float64Array.from([DAY, NaN, NaN]) });
    expect(early[1 * N_FEATURES + KNOWN]).toBe(1);
    // NaN means "no label time": the delay applies, as without the column.
    const none = replayFeatures({ ...ds, labelTimeSec: Float64Array.from([NaN, NaN, NaN]) });
    expect(none).toEqual(delayed);
  });

  it('gives the delayed replay’s features when every label time is the fraud’s time + 7 days', () => {
    const ds = simulate({ seed: 3, customers: 200, terminals: 400, days: 40 });
    const labelTimeSec = Float64Array.from(ds.timeSec, (t, i) =>
      ds.isFraud[i] ? t + 7 * DAY : NaN,
    );
    // Label times out of row order exercise the sort; ties keep row order, as the queue did.
    expect(replayFeatures({ ...ds, labelTimeSec })).toEqual(replayFeatures(ds));
  });
});
