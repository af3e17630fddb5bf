/**
 * The challenger thread's body (see challenger-thread.ts): holds one ORT session, the served
 * challenger's, and scores the batches of feature rows the main thread transfers to it, one
 * message at a time in arrival order (a load is done before the batches sent after it).
 */
import { parentPort } from 'node:worker_threads';
import { parseModelMetadata } from '@vigil/core';
import { sha256Hex } from '../../scoring/model-artifacts.js';
import { createOrtScorer, type OrtScorer } from '../../scoring/ort-scorer.js';
import { parseToWorker, type FromWorker, type ToWorker } from './challenger-protocol.js';

const port = parentPort;
if (!port) throw new Error('challenger-worker: not in a worker thread');

/** The model loaded (or whose load failed, then `scorer` is null and `why` says why). */
let current: { key: string; scorer: OrtScorer | null; why: string } | null = null;
let queue: Promise<void> = Promise.resolve();

const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const text = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function release(): Promise<void> {
  const s = current?.scorer;
  current = null;
  await s?.release();
}

async function handle(m: ToWorker): Promise<void> {
  if (m.type === 'drop') return release();
  if (m.type === 'load') {
    await release();
    try {
      // The bytes were verified by the main thread; checked again where the session is built.
      const onnx = new Uint8Array(m.onnx);
      if (m.sha256 !== null && (await sha256Hex(onnx)) !== m.sha256) {
        throw new Error(`model ${m.key}: the bytes do not match their SHA-256`);
      }
      const scorer = await createOrtScorer({
        model: onnx,
        metadata: parseModelMetadata(m.metadata),
      });
      current = { key: m.key, scorer, why: '' };
      post({ type: 'loaded', key: m.key });
    } catch (error) {
      current = { key: m.key, scorer: null, why: text(error) };
      post({ type: 'load-failed', key: m.key, message: current.why });
    }
    return;
  }
  const c = current;
  if (!c || c.key !== m.key || !c.scorer) {
    const why = c?.key === m.key ? c.why : `model ${m.key} is not loaded`;
    post({ type: 'failed', id: m.id, message: why });
    return;
  }
  try {
    const scores = new Float32Array(m.rows);
    await c.scorer.score(m.x, m.rows, scores);
    post({ type: 'scores', id: m.id, scores }, [scores.buffer]);
  } catch (error) {
    post({ type: 'failed', id: m.id, message: text(error) });
  }
}

port.on('message', (raw: unknown) => {
  const m = parseToWorker(raw);
  if (!m) return;
  queue = queue
    .then(() => handle(m))
    .catch((error: unknown) => {
      // Unexpected (a release that threw): a batch is answered all the same, as failed.
      if (m.type === 'score') post({ type: 'failed', id: m.id, message: text(error) });
    });
});
