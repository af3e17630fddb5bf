/**
 * Does an ONNX file work as a Vigil model? Loaded in onnxruntime-web (WebAssembly, the runtime the
 * edges score with), so a file the registry takes is one every edge can build a session from:
 * input `features` float [N, nFeatures] with this build's feature count, outputs `label` and
 * `probabilities`, and one row of zeros scoring a probability. Problems come back as field
 * issues on `/onnx`, never thrown: a bad upload is a 400, not a 500.
 */
import {
  N_FEATURES,
  ONNX_INPUT,
  ONNX_LABEL,
  ONNX_PROBABILITIES,
  type FieldIssue,
} from '@vigil/core';
import * as ort from 'onnxruntime-web/wasm';

const issue = (message: string): FieldIssue[] => [{ path: '/onnx', message }];

/** Field issues of `bytes` as a model of this build (empty: it loads and scores). */
export async function checkOnnxModel(bytes: Uint8Array): Promise<FieldIssue[]> {
  // Single-threaded and in the calling thread, as the edges run it: no worker to spawn per check.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).slice(0, 300);
    return issue(`the ONNX file does not load in onnxruntime: ${why}`);
  }
  try {
    return await checkSession(session);
  } finally {
    await session.release();
  }
}

async function checkSession(session: ort.InferenceSession): Promise<FieldIssue[]> {
  const inputs = session.inputNames;
  const outputs = session.outputNames;
  if (inputs.length !== 1 || inputs[0] !== ONNX_INPUT) {
    return issue(`the model must have one input '${ONNX_INPUT}', it has [${inputs.join(', ')}]`);
  }
  if (!outputs.includes(ONNX_LABEL) || !outputs.includes(ONNX_PROBABILITIES)) {
    return issue(
      `the model must have outputs '${ONNX_LABEL}' and '${ONNX_PROBABILITIES}', it has [${outputs.join(', ')}]`,
    );
  }
  const meta = session.inputMetadata[0];
  const width = meta?.isTensor ? meta.shape[1] : undefined;
  if (!meta?.isTensor || meta.type !== 'float32' || width !== N_FEATURES) {
    const shape = meta?.isTensor ? `${meta.type} [${meta.shape.join(', ')}]` : 'not a tensor';
    return issue(
      `input '${ONNX_INPUT}' must be float32 [N, ${N_FEATURES}] (this build's features), it is ${shape}`,
    );
  }
  const input = new ort.Tensor('float32', new Float32Array(N_FEATURES), [1, N_FEATURES]);
  try {
    const out = await session.run({ [ONNX_INPUT]: input });
    const p = out[ONNX_PROBABILITIES]?.data;
    for (const t of Object.values(out)) t.dispose();
    const fraud = p instanceof Float32Array && p.length === 2 ? p[1]! : NaN;
    if (!(fraud >= 0 && fraud <= 1)) {
      return issue(`'${ONNX_PROBABILITIES}' must be float [N, 2] of probabilities`);
    }
    return [];
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).slice(0, 300);
    return issue(`the model does not score one row of ${N_FEATURES} features: ${why}`);
  } finally {
    input.dispose();
  }
}
