import { describe, expect, it } from 'vitest';
import type { BacktestAnswer, ThresholdsPreview } from '@vigil/core';
import {
  perDayColumns,
  perDaySummary,
  scoreHistogramColumns,
  scoreHistogramSummary,
} from './analysis-chart-data.js';

const answer = {
  window: { from: '2026-11-30T12:00:00Z', to: '2026-12-03T00:00:00Z' },
  matched: 5,
  matched_fraud: 2,
  per_day: [
    { day: '2026-12-01', evaluated: 10, matched: 1, matched_fraud: 0 },
    { day: '2026-12-02', evaluated: 20, matched: 4, matched_fraud: 2 },
  ],
} as Partial<BacktestAnswer> as BacktestAnswer;

describe('the backtest and thresholds charts', () => {
  it('puts each day of the window at its UTC midnight, days without decisions at 0', () => {
    expect(perDayColumns(answer)).toEqual([
      [Date.UTC(2026, 10, 30) / 1000, Date.UTC(2026, 11, 1) / 1000, Date.UTC(2026, 11, 2) / 1000],
      [0, 1, 4],
      [0, 0, 2],
    ]);
    expect(perDayColumns(null)).toEqual([[], [], []]);
    expect(perDaySummary(answer)).toBe(
      'Matches per day over 2 days: 5 matches, 2 confirmed frauds; most on 2026-12-02 (4).',
    );
  });

  it('centres the score bins and leaves empty ones out of the log scale', () => {
    const preview = {
      evaluated: 7,
      histogram: {
        bins: 4,
        fraud: [0, 0, 1, 2],
        legitimate: [3, 1, 0, 0],
        unlabelled: [0, 0, 0, 0],
      },
    } as Partial<ThresholdsPreview> as ThresholdsPreview;
    expect(scoreHistogramColumns(preview)).toEqual([
      [0.125, 0.375, 0.625, 0.875],
      [null, null, 1, 2],
      [3, 1, null, null],
      [null, null, null, null],
    ]);
    expect(scoreHistogramSummary(preview)).toBe(
      'Scores of 7 decisions: 3 frauds, 4 legitimate, 0 unlabelled.',
    );
    expect(scoreHistogramColumns(null)).toEqual([[], [], [], []]);
  });
});
