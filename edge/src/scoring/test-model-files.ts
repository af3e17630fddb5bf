/**
 * Test support: the edge's committed test model (edge/test-model/, 8 trees, written once by
 * make-test-model.ts beside it), the same three files as the served model in edge/model/.
 */
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  parseModelMetadata,
  parseTreeEnsemble,
  type ModelMetadata,
  type TreeEnsemble,
} from '@vigil/core';
import type { ModelFiles } from './served-model.js';

export const TEST_MODEL_DIR = fileURLToPath(new URL('../../test-model/', import.meta.url));

export interface TestModel {
  readonly onnx: Uint8Array;
  readonly metadata: ModelMetadata;
  readonly ensemble: TreeEnsemble;
}

const read = (name: string) => readFile(join(TEST_MODEL_DIR, name));
const json = async (name: string): Promise<unknown> =>
  JSON.parse(await readFile(join(TEST_MODEL_DIR, name), 'utf8')) as unknown;

/** The test model as ModelFiles (what a runtime hands to loadServedModel). */
export async function testModelFiles(): Promise<ModelFiles> {
  const [onnx, metadata, trees] = await Promise.all([
    read('vigil-model.onnx'),
    json('vigil-model.json'),
    json('vigil-model.trees.json'),
  ]);
  return { onnx: new Uint8Array(onnx), metadata, trees };
}

/** The test model, validated by core's parsers. */
export async function loadTestModel(): Promise<TestModel> {
  const files = await testModelFiles();
  return {
    onnx: files.onnx,
    metadata: parseModelMetadata(files.metadata),
    ensemble: parseTreeEnsemble(files.trees),
  };
}

/** A one-tree ONNX graph 3 features wide: a model this build cannot serve. */
export async function narrowTestOnnx(): Promise<Uint8Array> {
  return new Uint8Array(await read('narrow.onnx'));
}

/** A temporary copy of the test model's directory, for tests that change or delete it. */
export async function writeTestModelDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-edge-model-'));
  await cp(TEST_MODEL_DIR, dir, { recursive: true });
  return dir;
}
