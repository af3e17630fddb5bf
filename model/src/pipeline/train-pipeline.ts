import {
  FEATURE_NAMES,
  N_FEATURES,
  predictProbability,
  type Thresholds,
  type TreeEnsemble,
} from '@vigil/core';
import {
  cardLabelEvidence,
  cardPrecisionAtK,
  dayIndex,
  handbookTestSet,
  informationCeilingScores,
  type CardLabelEvidence,
  type KnowableInput,
} from '../evaluate/handbook-protocol.js';
import {
  averagePrecision,
  rocAuc,
  trainGbdt,
  type GbdtParams,
  type GbdtResult,
} from '../gbdt/index.js';
import { simulate, stream, type SimulatedDataset, type SimulateOptions } from '@vigil/sim';
import { replayFeatures } from './replay-features.js';
import { chooseThresholds, confusion, DEFAULT_POLICY, type Confusion } from './thresholds.js';
import { DEFAULT_WINDOWS, gatherRows, rowsIn, type DateWindow } from './windows.js';

/** Detection metrics on one labelled set. */
export interface Metrics {
  readonly auc: number;
  readonly ap: number;
  readonly cp100: number;
}

/**
 * Hyper-parameters of the committed model. Chosen on the validation window of seed 0 (never the
 * test week); see model/REPORT.md.
 */
export const MODEL_PARAMS: Partial<GbdtParams> = {
  nRounds: 600,
  learningRate: 0.05,
  maxDepth: 6,
  lambda: 1,
  minChildWeight: 1,
  subsample: 0.8,
  colsampleByTree: 0.8,
  earlyStoppingRounds: 80,
  evalMetric: 'ap',
};

export interface PipelineOptions {
  readonly seed: number;
  readonly simulate?: SimulateOptions;
  readonly train?: DateWindow;
  readonly validation?: DateWindow;
  readonly handbookTrainStart?: string;
  /**
   * Share of legitimate training rows kept; kept rows weigh 1/rate. Frauds are all kept. This is a
   * speed measure that leaves the loss unbiased: probabilities stay calibrated, which the decision
   * thresholds rely on.
   */
  readonly legitSampleRate?: number;
  readonly params?: Partial<GbdtParams>;
  readonly log?: (msg: string) => void;
}

export interface PipelineResult {
  readonly dataset: SimulatedDataset;
  /** Feature matrix of the whole stream, row-major (as the edge would have computed it). */
  readonly features: Float32Array;
  readonly gbdt: GbdtResult;
  readonly ensemble: TreeEnsemble;
  readonly thresholds: Thresholds;
  readonly validation: Metrics;
  readonly test: Metrics & {
    readonly transactions: number;
    readonly frauds: number;
    /** CP@100 of a perfect model: fewer compromised cards a day cap what any model can reach. */
    readonly cp100Ceiling: number;
    /**
     * CP@100 of an oracle that ranks first every fraud that what is known at scoring time can
     * reveal (`informationCeilingScores`): the ceiling of detection rather than of luck.
     */
    readonly cp100InformationCeiling: number;
  };
  /** Why card labels do not raise the oracle (training start … end of the test week). */
  readonly cardLabelEvidence: CardLabelEvidence;
  readonly testConfusion: Confusion;
  readonly trainRows: number;
  readonly trainFrauds: number;
  readonly windows: {
    readonly train: DateWindow;
    readonly validation: DateWindow;
    readonly handbookTrainStart: string;
  };
  readonly params: Partial<GbdtParams>;
  readonly timingsMs: Record<'simulate' | 'features' | 'train' | 'evaluate', number>;
}

/** Score rows of the feature matrix with the TypeScript tree walk. */
export function scoreRows(e: TreeEnsemble, X: Float32Array, rows: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = predictProbability(e, X, rows[k]! * N_FEATURES);
  return out;
}

/** Handbook metrics for scored test rows. */
export function handbookMetrics(
  ds: SimulatedDataset,
  test: { rows: Int32Array; day: Int32Array },
  scores: ArrayLike<number>,
): Metrics {
  const y = Uint8Array.from(test.rows, (r) => ds.isFraud[r]!);
  const customer = Int32Array.from(test.rows, (r) => ds.customer[r]!);
  return {
    auc: rocAuc(y, scores),
    ap: averagePrecision(y, scores),
    cp100: cardPrecisionAtK(customer, test.day, y, scores, 100),
  };
}

/**
 * CP@100 ceilings of a stream's test week, without training: that of a perfect model and that of
 * the oracle of what is known at scoring time (`informationCeilingScores`).
 */
export function ceilings(
  ds: KnowableInput,
  handbookTrainStart: string = DEFAULT_WINDOWS.handbookTrainStart,
): { cp100Ceiling: number; cp100InformationCeiling: number } {
  const test = handbookTestSet(ds, handbookTrainStart);
  const customer = Int32Array.from(test.rows, (r) => ds.customer[r]!);
  const y = Uint8Array.from(test.rows, (r) => ds.isFraud[r]!);
  return {
    cp100Ceiling: cardPrecisionAtK(customer, test.day, y, y, 100),
    cp100InformationCeiling: cardPrecisionAtK(
      customer,
      test.day,
      y,
      informationCeilingScores(ds, test.rows),
      100,
    ),
  };
}

export interface FitInput {
  /** Feature matrix of the whole stream, row-major. */
  readonly X: Float32Array;
  readonly isFraud: Uint8Array;
  readonly trainRows: ArrayLike<number>;
  /** Early stopping's rows. */
  readonly validRows: ArrayLike<number>;
  readonly params: Partial<GbdtParams>;
  /** See {@link PipelineOptions.legitSampleRate}. */
  readonly legitSampleRate: number;
  readonly seed: number;
  readonly log: (msg: string) => void;
}

/**
 * The trainer every model of Vigil goes through (the shipped one and a user's): every fraud of the
 * training rows, a seeded sample of the legitimate ones weighted back up, gradient-boosted trees
 * early-stopped on the validation rows.
 */
export function fitGbdt(f: FitInput): { gbdt: GbdtResult; keep: number[]; y: Uint8Array } {
  const rng = stream(f.seed, 'legit-sample');
  const keep: number[] = [];
  const weights: number[] = [];
  for (let k = 0; k < f.trainRows.length; k++) {
    const r = f.trainRows[k]!;
    if (f.isFraud[r] === 1) {
      keep.push(r);
      weights.push(1);
    } else if (rng.uniform() < f.legitSampleRate) {
      keep.push(r);
      weights.push(1 / f.legitSampleRate);
    }
  }
  const y = Uint8Array.from(keep, (r) => f.isFraud[r]!);
  const yv = Uint8Array.from(f.validRows, (r) => f.isFraud[r]!);
  const gbdt = trainGbdt(
    {
      X: gatherRows(f.X, N_FEATURES, keep),
      y,
      nFeatures: N_FEATURES,
      weight: Float32Array.from(weights),
      validation: { X: gatherRows(f.X, N_FEATURES, f.validRows), y: yv },
    },
    f.params,
    {
      onIteration: (h) => {
        if (h.iter % 50 === 0)
          f.log(
            `  round ${h.iter}: train loss ${h.trainLoss.toFixed(5)}, validation AP ${h.valMetric.toFixed(4)}`,
          );
      },
    },
  );
  return { gbdt, keep, y };
}

/** Default share of legitimate training rows kept (see {@link PipelineOptions.legitSampleRate}). */
export const LEGIT_SAMPLE_RATE = 0.35;

/**
 * simulate → features through core (labels fed back 7 days late) → train → thresholds → the
 * handbook's test-week evaluation. Deterministic for a seed.
 */
export function runPipeline(opts: PipelineOptions): PipelineResult {
  const log = opts.log ?? (() => {});
  const windows = {
    train: opts.train ?? DEFAULT_WINDOWS.train,
    validation: opts.validation ?? DEFAULT_WINDOWS.validation,
    handbookTrainStart: opts.handbookTrainStart ?? DEFAULT_WINDOWS.handbookTrainStart,
  };
  const params = { ...MODEL_PARAMS, seed: opts.seed, ...opts.params };
  const rate = opts.legitSampleRate ?? LEGIT_SAMPLE_RATE;

  let t0 = performance.now();
  const ds = simulate({ ...opts.simulate, seed: opts.seed });
  const tSim = performance.now() - t0;
  log(
    `simulated ${ds.length.toLocaleString('en-US')} transactions in ${(tSim / 1000).toFixed(1)} s`,
  );

  t0 = performance.now();
  const X = replayFeatures(ds);
  const tFeat = performance.now() - t0;
  log(`features through core in ${(tFeat / 1000).toFixed(1)} s`);

  const validRows = rowsIn(ds.timeSec, windows.validation);
  const yv = Uint8Array.from(validRows, (r) => ds.isFraud[r]!);
  t0 = performance.now();
  const { gbdt, keep, y } = fitGbdt({
    X,
    isFraud: ds.isFraud,
    trainRows: rowsIn(ds.timeSec, windows.train),
    validRows,
    params,
    legitSampleRate: rate,
    seed: opts.seed,
    log,
  });
  const tTrain = performance.now() - t0;
  log(
    `trained ${gbdt.bestIteration + 1} trees on ${keep.length.toLocaleString('en-US')} rows in ${(tTrain / 1000).toFixed(1)} s`,
  );

  t0 = performance.now();
  const ensemble = gbdt.ensemble;
  const vScores = scoreRows(ensemble, X, validRows);
  const thresholds = chooseThresholds(vScores, yv, DEFAULT_POLICY);
  const validCustomers = Int32Array.from(validRows, (r) => ds.customer[r]!);
  const validDays = Int32Array.from(validRows, (r) => Math.floor(ds.timeSec[r]! / 86_400));
  const validation: Metrics = {
    auc: rocAuc(yv, vScores),
    ap: averagePrecision(yv, vScores),
    cp100: cardPrecisionAtK(validCustomers, validDays, yv, vScores, 100),
  };
  const test = handbookTestSet(ds, windows.handbookTrainStart);
  const tScores = scoreRows(ensemble, X, test.rows);
  const testMetrics = handbookMetrics(ds, test, tScores);
  const yt = Uint8Array.from(test.rows, (r) => ds.isFraud[r]!);
  let frauds = 0;
  for (const v of yt) frauds += v;
  const { cp100Ceiling, cp100InformationCeiling } = ceilings(ds, windows.handbookTrainStart);
  const evidence = cardLabelEvidence(
    ds,
    dayIndex(windows.train.start) * 86_400,
    (dayIndex(windows.handbookTrainStart) + 21) * 86_400,
  );
  const tEval = performance.now() - t0;

  return {
    dataset: ds,
    features: X,
    gbdt,
    ensemble,
    thresholds,
    validation,
    test: {
      ...testMetrics,
      transactions: test.rows.length,
      frauds,
      cp100Ceiling,
      cp100InformationCeiling,
    },
    cardLabelEvidence: evidence,
    testConfusion: confusion(tScores, yt, thresholds),
    trainRows: keep.length,
    trainFrauds: y.reduce((s, v) => s + v, 0),
    windows,
    params,
    timingsMs: { simulate: tSim, features: tFeat, train: tTrain, evaluate: tEval },
  };
}

export { FEATURE_NAMES };
