/**
 * Score rows with an exported model through onnxruntime-web (WebAssembly), as the edge does:
 * one InferenceSession per model, reused for every batch.
 */
import { ONNX_INPUT, ONNX_PROBABILITIES } from '@vigil/core';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-web';

/** Rows per session.run: bounds the WebAssembly heap for very large batches. */
const CHUNK_ROWS = 65_536;

export interface OrtScorer {
  readonly nFeatures: number;
  /** Fraud probabilities (column 1 of `probabilities`) of row-major rows, n × nFeatures. */
  score(x: Float32Array): Promise<Float32Array>;
  release(): Promise<void>;
}

export interface OrtScorerOptions {
  /**
   * WebAssembly threads. onnxruntime reads this once, when its first session is created, so
   * it is applied only then; 1 avoids spawning workers (and is what the edge runs).
   */
  readonly numThreads?: number;
}

let ortInitialised = false;

/** Width of the model's input, read from its declared shape [N, nFeatures]. */
function inputWidth(bytes: Uint8Array): number {
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  const input = model.graph?.input?.find((i) => i.name === ONNX_INPUT);
  // number | Long (protobufjs int64); Number() handles both.
  const dim: unknown = input?.type?.tensorType?.shape?.dim?.[1]?.dimValue;
  const width = dim === undefined || dim === null ? NaN : Number(dim);
  if (!Number.isInteger(width) || width < 1) {
    throw new Error(`ort scorer: model has no '${ONNX_INPUT}' input of shape [N, nFeatures]`);
  }
  return width;
}

/** Create a session from model bytes, once; score batches with it. */
export async function createOrtScorer(
  bytes: Uint8Array,
  options: OrtScorerOptions = {},
): Promise<OrtScorer> {
  if (!ortInitialised) {
    ort.env.wasm.numThreads = options.numThreads ?? 1;
    ortInitialised = true;
  }
  const nFeatures = inputWidth(bytes);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  return {
    nFeatures,
    async score(x: Float32Array): Promise<Float32Array> {
      const n = x.length / nFeatures;
      if (!Number.isInteger(n)) throw new RangeError('ort scorer: x.length % nFeatures ≠ 0');
      const out = new Float32Array(n);
      for (let start = 0; start < n; start += CHUNK_ROWS) {
        const rows = Math.min(CHUNK_ROWS, n - start);
        const input = new ort.Tensor(
          'float32',
          x.subarray(start * nFeatures, (start + rows) * nFeatures),
          [rows, nFeatures],
        );
        const result = await session.run({ [ONNX_INPUT]: input });
        const probs = result[ONNX_PROBABILITIES];
        if (!probs || !(probs.data instanceof Float32Array)) {
          throw new Error(`ort scorer: no float '${ONNX_PROBABILITIES}' output`);
        }
        const p = probs.data;
        for (let i = 0; i < rows; i++) out[start + i] = p[2 * i + 1]!;
        for (const t of Object.values(result)) t.dispose();
        input.dispose();
      }
      return out;
    },
    release: () => session.release(),
  };
}
