import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelFiles } from '../../scoring/served-model.js';

/** The served model the edge owns (edge/model/), written by `npm run train`. */
export const DEFAULT_MODEL_DIR = fileURLToPath(new URL('../../../model/', import.meta.url));

/** Read the three model files (validation happens in loadServedModel). */
export async function readModelFiles(dir = DEFAULT_MODEL_DIR): Promise<ModelFiles> {
  const json = async (name: string): Promise<unknown> => {
    const text = await readFile(join(dir, name), 'utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new Error(`${join(dir, name)} is not JSON`, { cause });
    }
  };
  const [onnx, metadata, trees] = await Promise.all([
    readFile(join(dir, 'vigil-model.onnx')),
    json('vigil-model.json'),
    json('vigil-model.trees.json'),
  ]);
  return { onnx: new Uint8Array(onnx.buffer, onnx.byteOffset, onnx.byteLength), metadata, trees };
}
