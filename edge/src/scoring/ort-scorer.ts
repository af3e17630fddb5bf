/**
 * core's Scorer port on onnxruntime-web's WebAssembly backend: the model exported by model/
 * (input `features` float [N, nFeatures]; output `probabilities` float [N, 2], column 1 = fraud).
 *
 * One InferenceSession per process or isolate, created at start-up from bytes the runtime hands
 * over (the Node runtime reads edge/model; the Worker bundles the model), so nothing here
 * touches a file system. Imported as `onnxruntime-web/wasm`, the build without WebGPU/WebGL, which
 * is what workerd can run; a runtime that must teach ORT how to instantiate its WebAssembly (the
 * Worker: a pre-compiled module) does so on this same module's `env` before calling us.
 */
import {
  N_FEATURES,
  ONNX_INPUT,
  ONNX_PROBABILITIES,
  type ModelMetadata,
  type Scorer,
} from '@vigil/core';
import * as ort from 'onnxruntime-web/wasm';

/** A Scorer that owns an ORT session. */
export interface OrtScorer extends Scorer {
  /** Release the session (at shutdown). */
  release(): Promise<void>;
}

/** Model bytes plus the metadata validated with core's parseModelMetadata. */
export interface OrtScorerInput {
  readonly model: Uint8Array;
  readonly metadata: ModelMetadata;
}

/** Create the session once, check the graph contract with one warm-up row, and score with it. */
export async function createOrtScorer({ model, metadata }: OrtScorerInput): Promise<OrtScorer> {
  // Single-threaded and in the calling thread: Workers have no threads, and on Node the model is
  // far cheaper per row than a worker round trip (docs/measurements.md).
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
  if (
    !session.inputNames.includes(ONNX_INPUT) ||
    !session.outputNames.includes(ONNX_PROBABILITIES)
  ) {
    await session.release();
    throw new Error(
      `model ${metadata.version}: expected input '${ONNX_INPUT}' and output ` +
        `'${ONNX_PROBABILITIES}', got [${session.inputNames.join(', ')}] → ` +
        `[${session.outputNames.join(', ')}]`,
    );
  }
  const scorer = new SessionScorer(session, metadata.version);
  try {
    // Fails now, not on the first request, if the graph's width is not this build's features.
    await scorer.score(new Float32Array(N_FEATURES), 1, new Float32Array(1));
  } catch (cause) {
    await session.release();
    throw new Error(`model ${metadata.version}: warm-up run failed`, { cause });
  }
  return scorer;
}

class SessionScorer implements OrtScorer {
  /** The single-row tensor of the last buffer seen: the common case allocates no tensor. */
  private oneRowBuffer: Float32Array | undefined;
  private oneRowTensor: ort.Tensor | undefined;

  constructor(
    private readonly session: ort.InferenceSession,
    readonly version: string,
  ) {}

  async score(x: Float32Array, rows: number, out: Float32Array): Promise<void> {
    if (rows === 0) return;
    if (x.length < rows * N_FEATURES || out.length < rows) {
      throw new RangeError(`ort scorer: buffers too small for ${rows} rows`);
    }
    const input = this.tensor(x, rows);
    const result = await this.session.run({ [ONNX_INPUT]: input });
    try {
      const probs = result[ONNX_PROBABILITIES];
      if (!probs || !(probs.data instanceof Float32Array) || probs.data.length < 2 * rows) {
        throw new Error(`ort scorer: no float '${ONNX_PROBABILITIES}' [${rows}, 2] output`);
      }
      const p = probs.data;
      for (let i = 0; i < rows; i++) out[i] = p[2 * i + 1]!;
    } finally {
      for (const t of Object.values(result)) t.dispose();
    }
  }

  release(): Promise<void> {
    return this.session.release();
  }

  /** A tensor over the first `rows` rows of `x`; ORT copies it into WebAssembly memory per run. */
  private tensor(x: Float32Array, rows: number): ort.Tensor {
    if (rows === 1 && x === this.oneRowBuffer && this.oneRowTensor) return this.oneRowTensor;
    const t = new ort.Tensor('float32', x.subarray(0, rows * N_FEATURES), [rows, N_FEATURES]);
    if (rows === 1) {
      this.oneRowBuffer = x;
      this.oneRowTensor = t;
    }
    return t;
  }
}
