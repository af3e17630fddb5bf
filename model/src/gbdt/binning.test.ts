import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '@vigil/sim';
import { binColumns, binCount, binOf, computeBinMapper } from './binning.js';

const rng = () => new Rng(7, 7, 7, 7);

describe('binning', () => {
  it('puts x in the first bin whose edge is >= x, NaN in the last, on float32 edges', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float(), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 2, max: 255 }),
        (values, maxBins) => {
          const x = Float32Array.from(values);
          const m = computeBinMapper(x, 1, rng(), { maxBins });
          const edges = m.edges;
          expect(binCount(m, 0)).toBeLessThanOrEqual(maxBins);
          for (let i = 0; i < edges.length; i++) {
            expect(Math.fround(edges[i]!)).toBe(edges[i]);
            if (i > 0) expect(edges[i]!).toBeGreaterThan(edges[i - 1]!);
          }
          const bins = binColumns(x, m);
          for (let r = 0; r < x.length; r++) {
            const v = x[r]!;
            const b = bins[r]!;
            if (Number.isNaN(v)) {
              expect(b).toBe(edges.length);
              continue;
            }
            // The split rule: bin <= b  ⇔  x <= edges[b], for every split point b.
            for (let s = 0; s < edges.length; s++) expect(b <= s).toBe(v <= edges[s]!);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives each distinct value its own bin when there are few of them', () => {
    const x = Float32Array.from([3, 1, 2, 2, 1, 3, 0.1, 0.1, 1e30]);
    const m = computeBinMapper(x, 1, rng());
    expect(binCount(m, 0)).toBe(5);
    expect(Array.from(binColumns(x, m))).toEqual([3, 1, 2, 2, 1, 3, 0, 0, 4]);
    // Thresholds sit between neighbouring values, so unseen values split halfway.
    expect(m.edges[0]).toBeCloseTo(0.55, 6);
  });

  it('spreads quantile bins around a heavy value', () => {
    const r = rng();
    const x = new Float32Array(20_000);
    for (let i = 0; i < x.length; i++) x[i] = i % 10 < 9 ? 0 : r.uniform();
    const m = computeBinMapper(x, 1, r, { maxBins: 64 });
    // Zero takes one bin; the 2,000 non-zero values share (almost all) the rest.
    expect(binCount(m, 0)).toBeGreaterThan(55);
    expect(binCount(m, 0)).toBeLessThanOrEqual(64);
    const bins = binColumns(x, m);
    const counts = new Int32Array(64);
    for (const b of bins) counts[b]!++;
    expect(Math.max(...counts.slice(2))).toBeLessThan(120);
  });

  it('lays the binned matrix out column-major and handles a constant feature', () => {
    const x = Float32Array.from([1, 5, 2, 5, 3, 5]); // 3 rows × 2 features
    const m = computeBinMapper(x, 2, rng());
    expect(binCount(m, 1)).toBe(1);
    expect(Array.from(binColumns(x, m))).toEqual([0, 1, 2, 0, 0, 0]);
    expect(binOf(m.edges, 0, 2, NaN)).toBe(2);
  });

  it('samples rows for the edges deterministically', () => {
    const r = new Rng(1, 2, 3, 4);
    const x = new Float32Array(5_000);
    for (let i = 0; i < x.length; i++) x[i] = r.normal();
    const a = computeBinMapper(x, 1, rng(), { sampleSize: 1_000 });
    const b = computeBinMapper(x, 1, rng(), { sampleSize: 1_000 });
    expect(a.edges).toEqual(b.edges);
    expect(binCount(a, 0)).toBe(255);
  });
});
