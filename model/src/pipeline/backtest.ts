import {
  decide,
  N_FEATURES,
  topReasons,
  type Decision,
  type ModelMetadata,
  type Reason,
  type TreeEnsemble,
} from '@vigil/core';
import type { SimulatedDataset } from '@vigil/sim';
import { replayFeatures } from './replay-features.js';

/** Scores a row-major feature matrix: the served model (onnxruntime-web) in the CLI. */
export type BatchScorer = (X: Float32Array) => Promise<Float32Array>;

export interface BacktestRow {
  readonly transaction_id: string;
  readonly score: number;
  readonly decision: Decision;
  readonly reasons: readonly Pick<Reason, 'code' | 'feature' | 'contribution'>[];
}

export interface BacktestResult {
  /** Row indexes of the input in the order they were replayed (event time, stable). */
  readonly order: Int32Array;
  /** Scores in replay order. */
  readonly scores: Float32Array;
  readonly rows: BacktestRow[];
}

/** Stable event-time order of a stream (files need not be sorted). */
export function eventTimeOrder(timeSec: Float64Array): Int32Array {
  const order = Int32Array.from({ length: timeSec.length }, (_, i) => i);
  let sorted = true;
  for (let i = 1; i < timeSec.length && sorted; i++) sorted = timeSec[i - 1]! <= timeSec[i]!;
  if (!sorted) order.sort((a, b) => timeSec[a]! - timeSec[b]! || a - b);
  return order;
}

function permute(ds: SimulatedDataset, order: Int32Array): SimulatedDataset {
  const pick = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
    const out = new (a.constructor as new (n: number) => T)(order.length);
    for (let k = 0; k < order.length; k++) out[k] = a[order[k]!]!;
    return out;
  };
  return {
    length: ds.length,
    startEpochSec: ds.startEpochSec,
    timeSec: pick(ds.timeSec),
    customer: pick(ds.customer),
    terminal: pick(ds.terminal),
    amount: pick(ds.amount),
    isFraud: pick(ds.isFraud),
    scenario: pick(ds.scenario),
  };
}

const BATCH = 4096;

/**
 * Offline replay of a stream through the edge's path: core's engine (labels of frauds fed back
 * 7 days late), the model, the decision policy and the reason codes.
 */
export async function backtest(
  ds: SimulatedDataset,
  ids: readonly string[],
  model: { readonly metadata: ModelMetadata; readonly ensemble: TreeEnsemble },
  score: BatchScorer,
): Promise<BacktestResult> {
  const order = eventTimeOrder(ds.timeSec);
  const sorted = permute(ds, order);
  const X = replayFeatures(sorted);
  const scores = new Float32Array(ds.length);
  for (let from = 0; from < ds.length; from += BATCH) {
    const n = Math.min(BATCH, ds.length - from);
    scores.set(await score(X.subarray(from * N_FEATURES, (from + n) * N_FEATURES)), from);
  }
  const scratch = new Float64Array(N_FEATURES);
  const rows: BacktestRow[] = new Array<BacktestRow>(ds.length);
  for (let k = 0; k < ds.length; k++) {
    const s = scores[k]!;
    rows[k] = {
      transaction_id: ids[order[k]!]!,
      score: s,
      decision: decide(s, model.metadata.thresholds),
      reasons: topReasons(model.ensemble, X, 3, scratch, k * N_FEATURES).map(
        ({ code, feature, contribution }) => ({
          code,
          feature,
          contribution,
        }),
      ),
    };
  }
  return { order, scores, rows };
}
