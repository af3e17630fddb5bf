/**
 * Train on a user's labelled history: the shipped model's pipeline (core's engine replayed in
 * event time, labels applied when they became known, the same trainer and threshold policy) with
 * windows cut from the data's own span. Returns the three artifacts `train --in` writes.
 */
import { createHash } from 'node:crypto';
import {
  ensembleToJson,
  FEATURE_NAMES,
  N_FEATURES,
  parseTrainedModelMetadata,
  predictProbability,
  type TrainedModelMetadata,
  type TreeEnsemble,
} from '@vigil/core';
import { cardPrecisionAtK } from '../evaluate/handbook-protocol.js';
import { averagePrecision, rocAuc } from '../gbdt/index.js';
import { exportOnnx } from '../onnx/export-onnx.js';
import { createOrtScorer } from '../onnx/ort-session.js';
import { replayFeatures } from '../pipeline/replay-features.js';
import {
  chooseThresholds,
  confusion,
  DEFAULT_POLICY,
  type Confusion,
} from '../pipeline/thresholds.js';
import {
  fitGbdt,
  LEGIT_SAMPLE_RATE,
  MODEL_PARAMS,
  scoreRows,
  type Metrics,
} from '../pipeline/train-pipeline.js';
import { gatherRows, rowsIn } from '../pipeline/windows.js';
import { driftReference } from './drift-bins.js';
import type { LabelledHistory } from './labelled-history.js';
import { spanWindows, type SpanWindows } from './span-windows.js';
import { TrainingDataError } from './training-data-error.js';

/** Fewest transactions `train` takes: fewer cannot fill three windows with meaningful numbers. */
export const MIN_TRANSACTIONS = 1_000;
/** Fewest frauds in the training window, and in each of the validation and test windows. */
export const MIN_FRAUDS = { train: 20, validation: 5, test: 5 } as const;
/** Default label delay when a line has no `label_time` (the handbook's, and core's features'). */
export const DEFAULT_LABEL_DELAY_DAYS = 7;

export interface OwnTrainingOptions {
  readonly source: 'file' | 'database';
  /** Days after a fraud its label is applied when it has no label time. */
  readonly labelDelayDays?: number;
  /** Share of validation transactions at or above the review threshold (the alert budget). */
  readonly reviewRate?: number;
  /** Precision the decline threshold must reach on validation. */
  readonly declinePrecision?: number;
  /** Most trees (early stopping may keep fewer); default the shipped model's. */
  readonly trees?: number;
  readonly seed?: number;
  readonly log?: (msg: string) => void;
}

export interface WindowCounts {
  readonly transactions: number;
  readonly frauds: number;
}

export interface OwnTrainingResult {
  readonly metadata: TrainedModelMetadata;
  readonly onnx: Uint8Array;
  readonly ensemble: TreeEnsemble;
  readonly windows: SpanWindows;
  readonly counts: Record<'all' | 'train' | 'validation' | 'test', WindowCounts>;
  readonly testConfusion: Confusion;
  /** Largest |p_onnx − p_treewalk| over the test window. */
  readonly onnxMaxDiff: number;
  readonly sorted: boolean;
  readonly timingsMs: Record<'features' | 'train' | 'evaluate', number>;
}

const countFrauds = (isFraud: Uint8Array, rows: ArrayLike<number>): number => {
  let n = 0;
  for (let k = 0; k < rows.length; k++) n += isFraud[rows[k]!]!;
  return n;
};

const iso = (sec: number) => new Date(sec * 1000).toISOString().replace('.000Z', 'Z');

/** Content-derived version: the last day of the data and a hash of the trees and thresholds. */
export function trainedVersion(
  e: TreeEnsemble,
  thresholds: { review: number; decline: number },
  lastDay: string,
): string {
  const h = createHash('sha256')
    .update(JSON.stringify({ trees: ensembleToJson(e), thresholds }))
    .digest('hex');
  return `train-${lastDay.replaceAll('-', '')}-${h.slice(0, 8)}`;
}

function metricsOf(
  h: LabelledHistory,
  rows: Int32Array,
  scores: ArrayLike<number>,
): Metrics & { y: Uint8Array } {
  const y = Uint8Array.from(rows, (r) => h.isFraud[r]!);
  const customer = Int32Array.from(rows, (r) => h.customer[r]!);
  const day = Int32Array.from(rows, (r) => Math.floor(h.timeSec[r]! / 86_400));
  return {
    y,
    auc: rocAuc(y, scores),
    ap: averagePrecision(y, scores),
    cp100: cardPrecisionAtK(customer, day, y, scores, 100),
  };
}

/** Train, choose thresholds, export, evaluate on the test window; refuses unusable data. */
export async function trainOnHistory(
  h: LabelledHistory,
  opts: OwnTrainingOptions,
): Promise<OwnTrainingResult> {
  const log = opts.log ?? (() => {});
  const labelDelayDays = opts.labelDelayDays ?? DEFAULT_LABEL_DELAY_DAYS;
  const policy = {
    alertRate: opts.reviewRate ?? DEFAULT_POLICY.alertRate,
    declinePrecision: opts.declinePrecision ?? DEFAULT_POLICY.declinePrecision,
    // --review-rate budgets the people: declines, set by precision, do not use it up.
    budget: 'reviews' as const,
  };
  const seed = opts.seed ?? 0;

  if (h.length < MIN_TRANSACTIONS)
    throw new TrainingDataError(
      `too little data: ${h.length.toLocaleString('en-US')} transactions; train needs at least ` +
        `${MIN_TRANSACTIONS.toLocaleString('en-US')}`,
    );
  const allFrauds = countFrauds(
    h.isFraud,
    Int32Array.from({ length: h.length }, (_, i) => i),
  );
  if (allFrauds === 0)
    throw new TrainingDataError(
      `no frauds: is_fraud is 0 on all ${h.length.toLocaleString('en-US')} transactions; a model ` +
        `learns fraud only from labelled frauds`,
    );
  const windows = spanWindows(h.timeSec[0]!, h.timeSec[h.length - 1]!, labelDelayDays);
  const rows = {
    train: rowsIn(h.timeSec, windows.train),
    validation: rowsIn(h.timeSec, windows.validation),
    test: rowsIn(h.timeSec, windows.test),
  };
  const counts = {
    all: { transactions: h.length, frauds: allFrauds },
    train: { transactions: rows.train.length, frauds: countFrauds(h.isFraud, rows.train) },
    validation: {
      transactions: rows.validation.length,
      frauds: countFrauds(h.isFraud, rows.validation),
    },
    test: { transactions: rows.test.length, frauds: countFrauds(h.isFraud, rows.test) },
  };
  for (const w of ['train', 'validation', 'test'] as const) {
    if (counts[w].frauds < MIN_FRAUDS[w])
      throw new TrainingDataError(
        `too few frauds: ${counts[w].frauds} in the ${w} window (${windows[w].start} … ` +
          `${windows[w].end}); train needs at least ${MIN_FRAUDS.train} in training and ` +
          `${MIN_FRAUDS.validation} in each of validation and test (the windows are 60 / 20 / 20 % ` +
          `of the data's days)`,
      );
  }
  log(
    `${h.length.toLocaleString('en-US')} transactions, ${allFrauds.toLocaleString('en-US')} frauds, ` +
      `${windows.days} days: train ${windows.train.start} … ${windows.train.end}, validation ` +
      `${windows.validation.start} … ${windows.validation.end}, test ${windows.test.start} … ${windows.test.end}`,
  );

  let t0 = performance.now();
  const X = replayFeatures(h, { labelDelayDays });
  const tFeatures = performance.now() - t0;
  log(`features through core in ${(tFeatures / 1000).toFixed(1)} s`);

  t0 = performance.now();
  const params = {
    ...MODEL_PARAMS,
    seed,
    ...(opts.trees === undefined ? {} : { nRounds: opts.trees }),
  };
  const { gbdt, keep, y } = fitGbdt({
    X,
    isFraud: h.isFraud,
    trainRows: rows.train,
    validRows: rows.validation,
    params,
    legitSampleRate: LEGIT_SAMPLE_RATE,
    seed,
    log,
  });
  const tTrain = performance.now() - t0;
  const ensemble = gbdt.ensemble;
  log(`trained ${gbdt.bestIteration + 1} trees in ${(tTrain / 1000).toFixed(1)} s`);

  t0 = performance.now();
  const vScores = scoreRows(ensemble, X, rows.validation);
  const validation = metricsOf(h, rows.validation, vScores);
  const thresholds = chooseThresholds(vScores, validation.y, policy);
  const version = trainedVersion(ensemble, thresholds, windows.test.end);
  const onnx = exportOnnx(ensemble, { featureNames: FEATURE_NAMES, version });

  // The test window is scored by the exported model itself, as the edge would serve it.
  const Xt = gatherRows(X, N_FEATURES, rows.test);
  const scorer = await createOrtScorer(onnx);
  const tScores = await scorer.score(Xt);
  await scorer.release();
  let onnxMaxDiff = 0;
  for (let k = 0; k < rows.test.length; k++)
    onnxMaxDiff = Math.max(
      onnxMaxDiff,
      Math.abs(tScores[k]! - predictProbability(ensemble, Xt, k * N_FEATURES)),
    );
  const test = metricsOf(h, rows.test, tScores);
  const testConfusion = confusion(tScores, test.y, thresholds);
  const alerts = testConfusion.review.fraud + testConfusion.review.legit; // reviews only
  const declines = testConfusion.decline.fraud + testConfusion.decline.legit;
  const tEvaluate = performance.now() - t0;

  const metadata = parseTrainedModelMetadata({
    version,
    feature_names: [...FEATURE_NAMES],
    thresholds,
    training: {
      seed,
      source: opts.source,
      data_span: { first: iso(h.timeSec[0]!), last: iso(h.timeSec[h.length - 1]!) },
      transactions: h.length,
      train_window: windows.train,
      validation_window: windows.validation,
      test_window: windows.test,
      label_delay_days: labelDelayDays,
      policy: { review_rate: policy.alertRate, decline_precision: policy.declinePrecision },
      rows: keep.length,
      frauds: y.reduce((s, v) => s + v, 0),
      trees: gbdt.bestIteration + 1,
      params: { ...params, legitSampleRate: LEGIT_SAMPLE_RATE },
    },
    metrics: {
      validation: { auc: validation.auc, ap: validation.ap, cp100: validation.cp100 },
      test: {
        auc: test.auc,
        ap: test.ap,
        cp100: test.cp100,
        alert_rate: (alerts + declines) / rows.test.length,
        review_rate: alerts / rows.test.length,
        decline_rate: declines / rows.test.length,
        transactions: rows.test.length,
        frauds: counts.test.frauds,
      },
    },
    // Thresholds were chosen on the validation window: as long as live scores and features are
    // distributed as there, the alert rate holds; PSI against this says when it no longer does.
    reference: driftReference(
      `validation window ${windows.validation.start} … ${windows.validation.end}`,
      FEATURE_NAMES,
      X,
      rows.validation,
      vScores,
    ),
  });
  return {
    metadata,
    onnx,
    ensemble,
    windows,
    counts,
    testConfusion,
    onnxMaxDiff,
    sorted: h.sorted,
    timingsMs: { features: tFeatures, train: tTrain, evaluate: tEvaluate },
  };
}
