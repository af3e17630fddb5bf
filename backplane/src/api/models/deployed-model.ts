/**
 * The deployed model (`edge/model/`, committed): what every edge serves while the registry has no
 * champion — the registry's `default`. The backplane holds no copy of its ONNX, only reads its
 * metadata's version and thresholds: its decisions carry that version, thresholds are set for it.
 */
import { readFile } from 'node:fs/promises';
import { modelMetadataSchema, type Thresholds } from '@vigil/core';
import * as z from 'zod/mini';

/** The deployed model's metadata, beside the edge's code in the repository and the image. */
const DEPLOYED_MODEL = new URL('../../../../edge/model/vigil-model.json', import.meta.url);

const deployedMetadata = z.object({
  version: modelMetadataSchema.shape.version,
  thresholds: modelMetadataSchema.shape.thresholds,
});

/** The deployed model's own version and its metadata's thresholds. */
export interface DeployedModel {
  readonly version: string;
  readonly thresholds: Thresholds;
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
        return r.success ? r.data : null;
      } catch {
        // Not JSON: as absent, the same as a document that fails the schema.
        return null;
      }
    },
    () => null,
  );
  return deployed;
}
