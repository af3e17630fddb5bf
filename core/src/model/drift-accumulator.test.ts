import { describe, expect, it } from 'vitest';
import { createDriftAccumulator } from './drift-accumulator.js';
import { driftLevel } from './drift-contract.js';
import type { DriftReference } from './drift-reference.js';

const reference: DriftReference = {
  rows: 'test',
  score: { edges: [0.1, 0.5], proportions: [0.6, 0.3, 0.1] },
  features: [
    { name: 'amount', edges: [10, 100], proportions: [0.2, 0.5, 0.3] },
    { name: 'hour', edges: [12], proportions: [0.5, 0.5] },
  ],
};

/** PSI written out by hand, bins found by a linear scan: independent of driftBin. */
function psiByHand(edges: number[], expected: number[], xs: number[]): number {
  const counts = expected.map(() => 0);
  for (const x of xs) {
    let b = 0;
    while (b < edges.length && x >= edges[b]!) b++;
    counts[b]!++;
  }
  let psi = 0;
  for (let i = 0; i < counts.length; i++) {
    const a = Math.max(counts[i]! / xs.length, 1e-4);
    const e = Math.max(expected[i]!, 1e-4);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

describe('createDriftAccumulator', () => {
  it('gives the PSI of the score and of each feature, most drifting first', () => {
    const acc = createDriftAccumulator(reference);
    const scores = [0.01, 0.02, 0.3, 0.7, 0.8, 0.9, 0.05, 0.5];
    const amounts = [5, 50, 500, 1000, 2000, 20, 30, 100];
    const hours = [1, 2, 3, 13, 14, 15, 16, 11];
    scores.forEach((s, i) => acc.add(s, { amount: amounts[i], hour: hours[i] }));
    const r = acc.result();
    expect(r.rows).toBe(8);
    expect(r.score).toBeCloseTo(psiByHand([0.1, 0.5], [0.6, 0.3, 0.1], scores), 12);
    const amount = psiByHand([10, 100], [0.2, 0.5, 0.3], amounts);
    const hour = psiByHand([12], [0.5, 0.5], hours);
    expect(hour).toBe(0);
    expect(r.features).toEqual([
      { feature: 'amount', psi: expect.closeTo(amount, 12) as number },
      { feature: 'hour', psi: 0 },
    ]);
  });

  it('skips a missing or non-finite feature value, and reports nothing for a feature never seen', () => {
    const acc = createDriftAccumulator(reference);
    acc.add(0.2, { amount: 50, hour: 'x' });
    acc.add(0.2, { amount: 500 });
    const r = acc.result();
    expect(r.features.map((f) => f.feature)).toEqual(['amount']);
    expect(r.features[0]!.psi).toBeCloseTo(psiByHand([10, 100], [0.2, 0.5, 0.3], [50, 500]), 12);
  });

  it('has no score PSI without rows', () => {
    expect(createDriftAccumulator(reference).result()).toEqual({
      rows: 0,
      score: null,
      features: [],
    });
  });
});

describe('driftLevel', () => {
  it('turns amber at 0.1 and red at 0.25', () => {
    expect([0, 0.099, 0.1, 0.249, 0.25, 3].map(driftLevel)).toEqual([
      'ok',
      'ok',
      'amber',
      'amber',
      'red',
      'red',
    ]);
  });
});
