import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES, N_FEATURES } from '../features/feature-names.js';
import type { TreeEnsemble } from '../model/tree-ensemble.js';
import { decide } from './decision.js';
import { REASON_CODES } from './reason-codes.js';
import { topReasons } from './reasons.js';

describe('decision policy', () => {
  it('maps scores to decisions at the thresholds', () => {
    const t = { review: 0.2, decline: 0.8 };
    expect(decide(0.19, t)).toBe('approve');
    expect(decide(0.2, t)).toBe('review');
    expect(decide(0.79, t)).toBe('review');
    expect(decide(0.8, t)).toBe('decline');
  });

  it('has a distinct stable code for every feature', () => {
    const codes = FEATURE_NAMES.map((f) => REASON_CODES[f].code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^[A-Z0-9_]+$/);
  });
});

describe('reasons', () => {
  // Two stumps: feature 15 (amount_to_mean_30d) > 3 adds +2, feature 0 (amount) > 100 adds +0.5.
  const e: TreeEnsemble = {
    nFeatures: N_FEATURES,
    baseMargin: -4,
    roots: Int32Array.from([0, 3]),
    feature: Int32Array.from([15, -1, -1, 0, -1, -1]),
    threshold: Float32Array.from([3, 0, 0, 100, 0, 0]),
    left: Int32Array.from([1, -1, -1, 4, -1, -1]),
    right: Int32Array.from([2, -1, -1, 5, -1, -1]),
    value: Float64Array.from([0.1, 0, 2, 0.05, 0, 0.5]),
  };

  it('ranks the features that raised the score, largest first, at most k', () => {
    const x = new Float32Array(N_FEATURES);
    x[15] = 5;
    x[0] = 150;
    const r = topReasons(e, x, 3);
    expect(r.map((x) => x.code)).toEqual(['AMOUNT_VS_CUSTOMER_MEAN', 'AMOUNT_HIGH']);
    expect(r[0]!.contribution).toBeCloseTo(1.9);
    expect(r[1]!.contribution).toBeCloseTo(0.45);
    expect(topReasons(e, x, 1)).toHaveLength(1);
  });

  it('gives no reasons when nothing raised the score', () => {
    expect(topReasons(e, new Float32Array(N_FEATURES))).toEqual([]);
  });

  it('never states a fact the features contradict', () => {
    // One stump on customer_known_frauds_30d whose "no fraud" side raises the score: trees do that.
    const kf = FEATURE_NAMES.indexOf('customer_known_frauds_30d');
    const stump: TreeEnsemble = {
      nFeatures: N_FEATURES,
      baseMargin: -4,
      roots: Int32Array.from([0]),
      feature: Int32Array.from([kf, -1, -1]),
      threshold: Float32Array.from([0.5, 0, 0]),
      left: Int32Array.from([1, -1, -1]),
      right: Int32Array.from([2, -1, -1]),
      value: Float64Array.from([0, 0.3, -0.1]),
    };
    const clean = new Float32Array(N_FEATURES);
    expect(topReasons(stump, clean)).toEqual([]);
    // The other way round, with a confirmed fraud on the card, the reason is given.
    const flipped = { ...stump, value: Float64Array.from([0, -0.1, 0.3]) };
    const known = new Float32Array(N_FEATURES);
    known[kf] = 1;
    expect(topReasons(flipped, known).map((r) => r.code)).toEqual(['CARD_CONFIRMED_FRAUD']);
  });

  it('gives a factual message only where its value holds', () => {
    const value = (f: (typeof FEATURE_NAMES)[number], v: number) =>
      REASON_CODES[f].applies?.(v) ?? true;
    expect(value('amount', 99.99)).toBe(false);
    expect(value('amount', 100)).toBe(true);
    expect(value('tx_during_weekend', 0)).toBe(false);
    expect(value('terminal_risk_7d_delay7', 0)).toBe(false);
    expect(value('terminal_risk_7d_delay7', 0.2)).toBe(true);
    expect(value('amount_to_mean_30d', 1.5)).toBe(false);
    expect(value('amount_zscore_30d', -2.5)).toBe(true);
    expect(value('amount_to_max_30d', 1)).toBe(false);
    expect(value('customer_nb_tx_30d', 0)).toBe(true);
  });
});
