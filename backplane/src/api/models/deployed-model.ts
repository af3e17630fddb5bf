/**
 * The deployed model (`edge/model/`, committed): what every edge serves while the registry has no
 * champion — the registry's `default`. The backplane holds no copy of its ONNX, only reads its
 * metadata's version and thresholds (its decisions carry that version, thresholds are set for it)
 * and, for the listing, its windows and metrics.
 */
import { readFile } from 'node:fs/promises';
import {
  modelMetadataSchema,
  type DeployedModelMetrics,
  type ModelWindow,
  type Thresholds,
} from '@vigil/core';
import * as z from 'zod/mini';

/** The deployed model's metadata, beside the edge's code in the repository and the image. */
const DEPLOYED_MODEL = new URL('../../../../edge/model/vigil-model.json', import.meta.url);

const training = modelMetadataSchema.shape.training.shape;
const deployedMetadata = z.object({
  version: modelMetadataSchema.shape.version,
  thresholds: modelMetadataSchema.shape.thresholds,
  training: z.object({
    train_window: training.train_window,
    validation_window: training.validation_window,
  }),
  metrics: modelMetadataSchema.shape.metrics,
});

/**
 * The deployed model's own version, its metadata's thresholds, and what the Models page shows of
 * it beside the registry's models: its training and validation windows and its metrics.
 */
export interface DeployedModel {
  readonly version: string;
  readonly thresholds: Thresholds;
  readonly training_window: ModelWindow;
  readonly validation_window: ModelWindow;
  readonly metrics: DeployedModelMetrics;
}

let deployed: Promise<DeployedModel | null> | undefined;

/**
 * The deployed model's version and thresholds, read once and validated with core's schema (the
 * edge's own check); null when the file is absent or not valid (a backplane deployed without the
 * edge's model: its edges still report it into served_models).
 */
export function deployedModel(): Promise<DeployedModel | null> {
  deployed ??= readFile(DEPLOYED_MODEL, 'utf8').then(
    (text) => {
      try {
        const r = z.safeParse(deployedMetadata, JSON.parse(text));
        if (!r.success) return null;
        const { version, thresholds, training: t, metrics } = r.data;
        return {
          version,
          thresholds,
          training_window: t.train_window,
          validation_window: t.validation_window,
          metrics,
        };
      } catch {
        // Not JSON: as absent, the same as a document that fails the schema.
        return null;
      }
    },
    () => null,
  );
  return deployed;
}
