/**
 * One cold Node process for bench/cold-start.ts: loads the deployed model as the edge did before
 * issue 18 (`before`: the ORT session awaited, then the first payment) or as it does now (`after`:
 * the first payment answered by core's tree walk while the session builds), and prints
 * `{ firstMs, warmMs }` — from the start of the model load to the first answer, and to ORT ready.
 */
import { createApp } from '../edge/src/app/index.js';
import { readModelFiles } from '../edge/src/runtime/node/read-model-files.js';
import { createOrtScorer } from '../edge/src/scoring/ort-scorer.js';
import { createEdgeModels, loadServedModel } from '../edge/src/scoring/served-model.js';
import { createMemoryFeatureStore } from '../edge/src/stores/memory-feature-store.js';
import { COLD_KEY, FIRST_PAYMENT } from './cold-start-payment.js';

const mode = process.argv[2];
const files = await readModelFiles();
const config = {
  apiKeys: [COLD_KEY],
  featureTimeoutMs: 50,
  corsOrigins: [],
  maxBodyBytes: 1_048_576,
};
const t0 = performance.now();
let warm: Promise<unknown> = Promise.resolve();
let app: ReturnType<typeof createApp>;
if (mode === 'before') {
  const { model, scorer } = await loadServedModel(files);
  app = createApp({
    store: createMemoryFeatureStore(),
    scorer,
    model,
    config,
    runtime: 'node',
    log: () => {},
  });
} else {
  const m = createEdgeModels(files, { createSession: createOrtScorer, log: () => {} });
  warm = m.warm;
  app = createApp({
    store: createMemoryFeatureStore(),
    scorer: m.scorer,
    model: m.model,
    models: m.holder,
    config,
    runtime: 'node',
    log: () => {},
  });
}
const res = await app.request('/v1/score', FIRST_PAYMENT);
if (res.status !== 200) throw new Error(`first answer ${res.status}: ${await res.text()}`);
const firstMs = performance.now() - t0;
await warm;
const warmMs = performance.now() - t0;
process.stdout.write(JSON.stringify({ firstMs, warmMs }) + '\n');
process.exit(0);
