/** Test support: the in-process test model written out as the three committed model files. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensembleToJson } from '@vigil/core';
import type { ModelFiles } from './served-model.js';
import { trainTestModel } from './test-model.js';

/** The test model as ModelFiles (what a runtime hands to loadServedModel). */
export async function testModelFiles(): Promise<ModelFiles> {
  const m = await trainTestModel();
  return {
    onnx: m.onnx,
    metadata: JSON.parse(JSON.stringify(m.metadata)) as unknown,
    trees: JSON.parse(JSON.stringify(ensembleToJson(m.ensemble))) as unknown,
  };
}

/** A temporary directory holding vigil-model.{onnx,json,trees.json} of the test model. */
export async function writeTestModelDir(): Promise<string> {
  const m = await trainTestModel();
  const dir = await mkdtemp(join(tmpdir(), 'vigil-edge-model-'));
  await writeFile(join(dir, 'vigil-model.onnx'), m.onnx);
  await writeFile(join(dir, 'vigil-model.json'), JSON.stringify(m.metadata));
  await writeFile(join(dir, 'vigil-model.trees.json'), JSON.stringify(ensembleToJson(m.ensemble)));
  return dir;
}
