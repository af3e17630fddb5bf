import {
  parseModelMetadata,
  parseTreeEnsemble,
  type ModelMetadata,
  type TreeEnsemble,
} from '@vigil/core';
import { MicroBatchScorer } from './micro-batch-scorer.js';
import { createOrtScorer, type OrtScorer } from './ort-scorer.js';

/** The three committed model files as the runtime has them (read from disk, or bundled). */
export interface ModelFiles {
  /** vigil-model.onnx */
  readonly onnx: Uint8Array;
  /** vigil-model.json, parsed but not yet validated. */
  readonly metadata: unknown;
  /** vigil-model.trees.json, parsed but not yet validated. */
  readonly trees: unknown;
}

/** A validated model with its scorer: what createApp needs for `model` and `scorer`. */
export interface LoadedModel {
  readonly model: { readonly metadata: ModelMetadata; readonly ensemble: TreeEnsemble };
  readonly scorer: OrtScorer;
}

/**
 * Validate the model files with core's parsers (which fail loudly if the model was trained on
 * other features than this build computes) and create the one ORT session.
 */
export interface LoadOptions {
  /**
   * Share ORT runs between concurrent requests (MicroBatchScorer). For Node only: in a Worker a
   * promise created by one request must not be settled from another request's context, which is
   * exactly what a shared run does (workerd cancels such continuations).
   */
  readonly microBatch?: boolean;
}

export async function loadServedModel(
  files: ModelFiles,
  options: LoadOptions = {},
): Promise<LoadedModel> {
  const metadata = parseModelMetadata(files.metadata);
  const ensemble = parseTreeEnsemble(files.trees);
  if (ensemble.nFeatures !== metadata.feature_names.length) {
    throw new Error(
      `model ${metadata.version}: trees read ${ensemble.nFeatures} features, metadata names ` +
        `${metadata.feature_names.length}`,
    );
  }
  const session = await createOrtScorer({ model: files.onnx, metadata });
  const scorer = options.microBatch ? new MicroBatchScorer(session) : session;
  return { model: { metadata, ensemble }, scorer };
}
