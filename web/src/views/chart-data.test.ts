import { describe, expect, it } from 'vitest';
import type { Stats } from '@vigil/core';
import {
  decisionColumns,
  histogramColumns,
  histogramSummary,
  latencyColumns,
  utcTickLabels,
} from './chart-data.js';

const base: Stats = {
  window: '5m',
  from: '2024-01-01T00:00:00Z',
  to: '2024-01-01T00:05:00Z',
  transactions: 30,
  tps: 0.1,
  decisions: { approve: 25, review: 3, decline: 2 },
  fraud_rate: 0.05,
  labelled_fraud_rate: 0.05,
  money: [],
  false_positive_share: null,
  open_case_median_age_s: null,
  score_histogram: [20, 5, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 2],
  latency_ms: { p50: 0.5, p99: 2 },
  consumer_lag: 0,
  open_cases: 5,
  series: [
    { t: '2024-01-01T00:00:00Z', approve: 10, review: 1, decline: 0, p50_ms: 0.4, p99_ms: 1.5 },
    { t: '2024-01-01T00:00:05Z', approve: 0, review: 0, decline: 0, p50_ms: 0, p99_ms: 0 },
  ],
};

describe('chart data', () => {
  it('centres the histogram bins and leaves empty bins out of the log scale', () => {
    const [x, y] = histogramColumns(base);
    expect(x).toHaveLength(20);
    expect(x[0]).toBe(0.025);
    expect(x[19]).toBe(0.975);
    expect(y![0]).toBe(20);
    expect(y![2]).toBeNull();
    expect(histogramColumns(null)).toEqual([[], []]);
  });

  it('makes latency gaps where a bucket had no decisions', () => {
    expect(latencyColumns(base)).toEqual([
      [1704067200, 1704067205],
      [0.4, null],
      [1.5, null],
    ]);
  });

  it('lists decisions per bucket', () => {
    expect(decisionColumns(base)).toEqual([
      [1704067200, 1704067205],
      [10, null],
      [1, null],
      [null, null],
    ]);
  });

  it('summarises the histogram in words', () => {
    expect(histogramSummary(base)).toBe(
      'Score distribution of 30 decisions; 5 scored 0.5 or more.',
    );
    expect(histogramSummary(null)).toMatch(/no decisions/);
    expect(histogramSummary({ ...base, transactions: 1 })).toMatch(
      /^Score distribution of 1 decision;/,
    );
  });
});

describe('utcTickLabels', () => {
  const t0 = Date.UTC(2024, 0, 1, 23, 58, 0) / 1000;
  it('shows minutes, seconds when ticks are close, and the date on day ticks', () => {
    expect(utcTickLabels([t0, t0 + 60, t0 + 120])).toEqual(['23:58', '23:59', '00:00']);
    expect(utcTickLabels([t0, t0 + 15])).toEqual(['23:58:00', '23:58:15']);
    expect(utcTickLabels([t0, t0 + 86_400])).toEqual(['2024-01-01', '2024-01-02']);
    expect(utcTickLabels([t0, t0 + 7200])).toEqual(['01-01 23:58', '01-02 01:58']);
  });
});
