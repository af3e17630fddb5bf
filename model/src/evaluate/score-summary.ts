import { averagePrecision, rocAuc } from '../gbdt/metrics.js';
import type { SimulatedDataset } from '@vigil/sim';
import { cardPrecisionAtK, dayIndex, handbookTestSet } from './handbook-protocol.js';

const DAY = 86_400;

export interface ScoreSummary {
  readonly all?: { frauds: number; auc: number; ap: number; cp100: number };
  readonly handbook_test_week?: {
    transactions: number;
    frauds: number;
    auc: number;
    ap: number;
    cp100: number;
  };
}

/**
 * Detection metrics of scores given per input row (`scoreOf[i]` for row i of `ds`): over all rows,
 * and on the handbook's test week when the stream covers it (training week from
 * `handbookTrainStart` to the end of the test week). Empty when the stream has no labels.
 */
export function summarizeScores(
  ds: SimulatedDataset,
  scoreOf: ArrayLike<number>,
  handbookTrainStart: string,
): ScoreSummary {
  let frauds = 0;
  for (const v of ds.isFraud) frauds += v;
  if (frauds === 0) return {};
  const day = Int32Array.from(ds.timeSec, (t) => Math.floor(t / DAY));
  const all = {
    frauds,
    auc: rocAuc(ds.isFraud, scoreOf),
    ap: averagePrecision(ds.isFraud, scoreOf),
    cp100: cardPrecisionAtK(ds.customer, day, ds.isFraud, scoreOf, 100),
  };
  const first = dayIndex(handbookTrainStart);
  const covers = day.some((d) => d === first) && day.some((d) => d === first + 20);
  if (!covers) return { all };
  const test = handbookTestSet(ds, handbookTrainStart);
  const s = Float64Array.from(test.rows, (r) => scoreOf[r]!);
  const y = Uint8Array.from(test.rows, (r) => ds.isFraud[r]!);
  const c = Int32Array.from(test.rows, (r) => ds.customer[r]!);
  return {
    all,
    handbook_test_week: {
      transactions: test.rows.length,
      frauds: y.reduce((a, b) => a + b, 0),
      auc: rocAuc(y, s),
      ap: averagePrecision(y, s),
      cp100: cardPrecisionAtK(c, test.day, y, s, 100),
    },
  };
}
