import * as z from 'zod/mini';
import { FEATURE_NAMES } from '../features/feature-names.js';
import { storableText } from '../schema/storable-text.js';
import { ensembleFromJson, type TreeEnsemble } from './tree-ensemble.js';

const window = z.object({ start: z.string(), end: z.string() });
const metrics = z.object({ auc: z.number(), ap: z.number(), cp100: z.number() });

/**
 * The metadata committed beside the ONNX model: everything the edge needs to turn a probability
 * into a decision and to say what model made it. Read at start-up and validated, never trusted.
 */
export const modelMetadataSchema = z.object({
  // Every decision event carries it as model_version, which the backplane takes only as storable
  // text of at most 200 characters: a model whose version could not be stored is refused at load.
  version: z.string().check(z.minLength(1), z.maxLength(200), storableText('version')),
  feature_names: z.array(z.string()),
  thresholds: z.object({ review: z.number(), decline: z.number() }),
  training: z.object({
    seed: z.number(),
    train_window: window,
    validation_window: window,
    rows: z.number(),
    frauds: z.number(),
    trees: z.number(),
    params: z.record(z.string(), z.unknown()),
  }),
  metrics: z.object({ validation: metrics, test: metrics }),
});

export type ModelMetadata = z.infer<typeof modelMetadataSchema>;

/**
 * Validate metadata and check it was trained on exactly this build's features, in this order: a
 * model trained on other features would score garbage silently, so this fails loudly instead.
 */
export function parseModelMetadata(input: unknown): ModelMetadata {
  const m = z.parse(modelMetadataSchema, input);
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
