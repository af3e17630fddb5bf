import * as z from 'zod/mini';
import { FEATURE_NAMES } from '../features/feature-names.js';
import { storableText } from '../schema/storable-text.js';
import { driftReferenceSchema } from './drift-reference.js';
import { ensembleFromJson, type TreeEnsemble } from './tree-ensemble.js';

/** An inclusive range of UTC days, 'YYYY-MM-DD'. */
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const share = z.number().check(z.gte(0), z.lte(1));

/*
 * Each object's fields are written once, as a shape, and built twice: loose (z.object, unknown
 * fields dropped) for modelMetadataSchema, which must read the served subset of either kind of
 * metadata, and strict (z.strictObject, unknown fields refused by name) for everything a reader
 * takes whole: a field the schema does not know would otherwise be lost without a word — a
 * misspelt `label_delay_day` registered, stored and served as if it were not there.
 */
const windowShape = { start: z.string(), end: z.string() };
const dayWindowShape = {
  start: z.string().check(z.regex(DAY, 'a window starts on a YYYY-MM-DD day')),
  end: z.string().check(z.regex(DAY, 'a window ends on a YYYY-MM-DD day')),
};
const metricsShape = { auc: z.number(), ap: z.number(), cp100: z.number() };
// Probabilities: a review below 0 would send every transaction to review, a decline past 1
// would never decline (the thresholds routes take the same 0 ≤ review ≤ decline ≤ 1).
const thresholdsShape = { review: share, decline: share };
const trainingShape = {
  seed: z.number(),
  train_window: z.object(windowShape),
  validation_window: z.object(windowShape),
  rows: z.number(),
  frauds: z.number(),
  trees: z.number(),
  /** The trainer's parameters: free-form by design (the one extension point), any JSON. */
  params: z.record(z.string(), z.unknown()),
};

/**
 * Where a model's training data came from: the handbook simulator (the shipped model), a user's
 * labelled file (`train --in`) or the backplane's stored decisions and verdicts (`--from-db`).
 */
export const TRAINING_SOURCES = ['simulator', 'file', 'database'] as const;

/** What `train` adds for a model trained on a user's history; optional for the shipped model. */
const ownDataTraining = {
  source: z.enum(TRAINING_SOURCES),
  /** First and last transaction time of the data, RFC 3339 UTC. */
  data_span: z.strictObject({ first: z.string(), last: z.string() }),
  transactions: z.number(),
  test_window: z.strictObject(dayWindowShape),
  /** Days after a fraud its label is applied when the line has no label_time; also the gap. */
  label_delay_days: z.number().check(z.gte(0)),
  /**
   * The policy the thresholds were chosen by on the validation window: `review_rate` of the
   * transactions fall in the review band, declines are at least `decline_precision` fraud.
   */
  policy: z.strictObject({ review_rate: share, decline_precision: share }),
};

/** Test-window metrics of a model trained on a user's history. */
const testMetrics = z.strictObject({
  ...metricsShape,
  /** Share of test transactions at or above the review threshold (review + decline). */
  alert_rate: share,
  /** Share of test transactions in the review band (review ≤ score < decline). */
  review_rate: share,
  decline_rate: share,
  transactions: z.number(),
  frauds: z.number(),
});

/*
 * Every decision event carries the version as model_version, which the backplane takes only as
 * storable text of at most 200 characters: a model whose version could not be stored is refused
 * at load. It is also one segment of URL paths (the registry's routes, the edges' artifact
 * fetch), where '.' and '..' are resolved away: such a version could never be addressed.
 */
const versionSchema = z.string().check(
  z.minLength(1),
  z.maxLength(200),
  storableText('version'),
  z.refine((v) => v !== '.' && v !== '..', 'version must not be . or .. (a URL path segment)'),
);

/**
 * The metadata committed beside the ONNX model: everything the edge needs to turn a probability
 * into a decision and to say what model made it. Loose: it reads the served subset of the
 * shipped model's metadata and of a registry model's ({@link trainedModelMetadataSchema}, which
 * the registry has already checked whole); {@link parseModelMetadata} is the strict reader.
 */
export const modelMetadataSchema = z.object({
  version: versionSchema,
  feature_names: z.array(z.string()),
  thresholds: z.object(thresholdsShape),
  training: z.object(trainingShape),
  metrics: z.object({ validation: z.object(metricsShape), test: z.object(metricsShape) }),
  /** The training reference for drift (PSI); models trained by `train --in` always have it. */
  reference: z.optional(driftReferenceSchema),
});

export type ModelMetadata = z.infer<typeof modelMetadataSchema>;

/** The shipped model's metadata (what `npm run train` writes to edge/model/), unknown fields refused. */
const servedModelMetadataSchema = z.strictObject({
  version: versionSchema,
  feature_names: z.array(z.string()),
  thresholds: z.strictObject(thresholdsShape),
  training: z.strictObject({
    ...trainingShape,
    train_window: z.strictObject(windowShape),
    validation_window: z.strictObject(windowShape),
  }),
  metrics: z.strictObject({
    validation: z.strictObject(metricsShape),
    test: z.strictObject(metricsShape),
  }),
  reference: z.optional(driftReferenceSchema),
});

/**
 * The metadata `npm run train -- --in FILE` (or `--from-db`) writes and the registry takes: the
 * served model's fields, and the windows, policy, test metrics and drift reference made required.
 * Strict at every level but `training.params`: an unknown field is refused, naming its pointer.
 * Every such document is also valid {@link modelMetadataSchema}.
 */
export const trainedModelMetadataSchema = z.strictObject({
  version: versionSchema,
  feature_names: z.array(z.string()),
  thresholds: z.strictObject(thresholdsShape),
  training: z.strictObject({
    ...trainingShape,
    ...ownDataTraining,
    train_window: z.strictObject(dayWindowShape),
    validation_window: z.strictObject(dayWindowShape),
  }),
  metrics: z.strictObject({ validation: z.strictObject(metricsShape), test: testMetrics }),
  reference: driftReferenceSchema,
});

export type TrainedModelMetadata = z.infer<typeof trainedModelMetadataSchema>;

/**
 * Validate metadata and check it was trained on exactly this build's features, in this order: a
 * model trained on other features would score garbage silently, so this fails loudly instead.
 * Metadata from `train --in` (it names `training.source`) is read as {@link
 * trainedModelMetadataSchema}, the shipped model's as its own shape; either way strictly, so a
 * field this build does not know is refused, never silently dropped.
 */
export function parseModelMetadata(input: unknown): ModelMetadata {
  const trained = hasTrainingSource(input);
  return checkFeaturesAndThresholds(
    trained
      ? z.parse(trainedModelMetadataSchema, input)
      : z.parse(servedModelMetadataSchema, input),
  );
}

function hasTrainingSource(input: unknown): boolean {
  if (typeof input !== 'object' || input === null || !('training' in input)) return false;
  const t = input.training;
  return typeof t === 'object' && t !== null && 'source' in t;
}

/**
 * Validate what `train` wrote for a user's data: {@link parseModelMetadata}'s checks, the fields
 * the registry needs, and a drift reference for each of this build's features.
 */
export function parseTrainedModelMetadata(input: unknown): TrainedModelMetadata {
  const m = checkFeaturesAndThresholds(z.parse(trainedModelMetadataSchema, input));
  const names = m.reference.features.map((f) => f.name);
  if (names.length !== m.feature_names.length || names.some((n, i) => n !== m.feature_names[i]))
    throw new Error(
      `model ${m.version}: the drift reference must list the model's features in order`,
    );
  return m;
}

function checkFeaturesAndThresholds<M extends ModelMetadata>(m: M): M {
  const same =
    m.feature_names.length === FEATURE_NAMES.length &&
    m.feature_names.every((n, i) => n === FEATURE_NAMES[i]);
  if (!same) {
    throw new Error(
      `model ${m.version} was trained on features [${m.feature_names.join(', ')}], ` +
        `this build computes [${FEATURE_NAMES.join(', ')}]: retrain with npm run train`,
    );
  }
  if (!(m.thresholds.review <= m.thresholds.decline)) {
    throw new Error(`model ${m.version}: review threshold above decline threshold`);
  }
  return m;
}

const numbers = z.array(z.number());

/** Shape of the committed trees file (core's TreeEnsembleJson). */
export const treeEnsembleJsonSchema = z.object({
  nFeatures: z.number().check(z.int(), z.gte(1)),
  baseMargin: z.number(),
  roots: numbers,
  feature: numbers,
  threshold: numbers,
  left: numbers,
  right: numbers,
  value: numbers,
});

/** Validate an untrusted trees document and build the ensemble (structure checked too). */
export function parseTreeEnsemble(input: unknown): TreeEnsemble {
  return ensembleFromJson(z.parse(treeEnsembleJsonSchema, input));
}
