import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ensembleToJson,
  parseModelMetadata,
  parseTreeEnsemble,
  type ModelMetadata,
  type TreeEnsemble,
} from '@vigil/core';

/**
 * The served model is a release artifact the edge owns (edge/model/): `npm run train` writes it
 * there, the edge reads or bundles it, and the backtest reads it back. A path, not an import:
 * model/ never depends on the edge's code.
 */
export const ARTIFACTS_DIR = new URL('../../../edge/model/', import.meta.url).pathname;
export const ONNX_FILE = 'vigil-model.onnx';
export const TREES_FILE = 'vigil-model.trees.json';
export const METADATA_FILE = 'vigil-model.json';

export interface ModelArtifacts {
  readonly metadata: ModelMetadata;
  readonly ensemble: TreeEnsemble;
  readonly onnx: Uint8Array;
}

/** Content-addressed version: the same trees always get the same name. */
export function modelVersion(e: TreeEnsemble): string {
  const h = createHash('sha256')
    .update(JSON.stringify(ensembleToJson(e)))
    .digest('hex');
  return `gbdt-${h.slice(0, 12)}`;
}

export async function writeArtifacts(dir: string, a: ModelArtifacts): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, ONNX_FILE), a.onnx);
  await writeFile(join(dir, TREES_FILE), JSON.stringify(ensembleToJson(a.ensemble)) + '\n');
  await writeFile(join(dir, METADATA_FILE), JSON.stringify(a.metadata, null, 2) + '\n');
}

/** Read and validate the committed model; fails naming what is wrong. */
export async function readArtifacts(dir = ARTIFACTS_DIR): Promise<ModelArtifacts> {
  const metadata = parseModelMetadata(JSON.parse(await readFile(join(dir, METADATA_FILE), 'utf8')));
  const ensemble = parseTreeEnsemble(JSON.parse(await readFile(join(dir, TREES_FILE), 'utf8')));
  if (modelVersion(ensemble) !== metadata.version) {
    throw new Error(
      `${TREES_FILE} does not belong to model ${metadata.version}: retrain with npm run train`,
    );
  }
  const onnx = new Uint8Array(await readFile(join(dir, ONNX_FILE)));
  return { metadata, ensemble, onnx };
}
