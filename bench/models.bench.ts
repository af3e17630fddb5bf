/**
 * The model registry at the edge (issue 18): how long a promotion takes once the artifact is at
 * hand (digest, metadata, trees from the ONNX, a new ORT session — the fetch is the network's),
 * and what a challenger costs: its scoring time per transaction, and the answer's latency with and
 * without it (it scores after the answer, so p99 should not move beyond noise). In-process on
 * Node, over the real memory store and ORT, four lanes of single-payment calls.
 */
import {
  parseModelMetadata,
  parseTreeEnsemble,
  type Scorer,
  type TrainedModelMetadata,
  type Transaction,
} from '@vigil/core';
import { sha256Hex, verifyArtifact } from '../edge/src/scoring/model-artifacts.js';
import { ModelHolder, servedEntry, type SessionFactory } from '../edge/src/scoring/model-holder.js';
import { MicroBatchScorer } from '../edge/src/scoring/micro-batch-scorer.js';
import { createOrtScorer } from '../edge/src/scoring/ort-scorer.js';
import { ScoringService, type ScoringObserver } from '../edge/src/scoring/scoring-service.js';
import { testModelFiles } from '../edge/src/scoring/test-model-files.js';
import { readModelFiles } from '../edge/src/runtime/node/read-model-files.js';
import { createMemoryFeatureStore } from '../edge/src/stores/memory-feature-store.js';
import { fmt, percentile, table } from './stats.js';

const CALLS = 4_000;
const LANES = 4;

const observer: ScoringObserver = {
  decided: () => {},
  replayed: () => {},
  pending: () => {},
  conflicted: () => {},
  degraded: () => {},
  answerSaveFailed: () => {},
  sinkFailed: () => {},
  rulesFailed: () => {},
};

async function setup() {
  // As the Node edge builds them (runtime/node/main.ts): calls share ORT runs.
  const createSession: SessionFactory = async (input) =>
    new MicroBatchScorer(await createOrtScorer(input));
  const files = await readModelFiles();
  const deployed = servedEntry(
    parseModelMetadata(files.metadata),
    parseTreeEnsemble(files.trees),
    files.onnx,
    createSession,
    null,
  );
  await deployed.scorer.ready;
  const t = await testModelFiles();
  const onnx = new Uint8Array(t.onnx);
  const metadata = t.metadata as TrainedModelMetadata;
  const ref = { version: metadata.version, sha256: await sha256Hex(onnx) };
  const base64 = Buffer.from(onnx).toString('base64');
  const holder = () =>
    new ModelHolder({
      deployed,
      createSession,
      fetchArtifact: (r) => verifyArtifact(r, { ...ref, metadata, onnx: base64 }),
      log: () => {},
    });
  return { deployed, ref, holder };
}

function tx(i: number): Transaction {
  return {
    transaction_id: `bench_m_${i}`,
    timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1_000).toISOString(),
    customer_id: `c_${i % 500}`,
    terminal_id: `t_${i % 80}`,
    amount: 5 + ((i * 37) % 400),
  };
}

/** Answer latencies (ms) of CALLS single-payment calls over LANES lanes; events counted. */
async function run(holder: ModelHolder, offset: number) {
  let emitted = 0;
  const scoring = new ScoringService({
    store: createMemoryFeatureStore(),
    models: holder,
    featureTimeoutMs: 1_000,
    sink: { emit: (e) => void (emitted += e.length) },
    observer,
    runtime: 'node',
    maxBatch: 10,
  });
  const lat = new Float64Array(CALLS);
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < CALLS) {
      const i = next++;
      const t0 = performance.now();
      await scoring.score([tx(offset + i)]);
      lat[i] = performance.now() - t0;
      // A turn of the event loop between payments, as between requests.
      await new Promise((r) => setImmediate(r));
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
  while (emitted < CALLS) await new Promise((r) => setTimeout(r, 1));
  return { lat: lat.sort(), perCallMs: (performance.now() - started) / CALLS };
}

export async function benchModels(): Promise<string> {
  const { ref, holder } = await setup();
  // Promotion: a fresh holder each time (none reuses a session), 5 runs.
  const promo: number[] = [];
  for (let k = 0; k < 5; k++) {
    const h = holder();
    const t0 = performance.now();
    await h.apply({ champion: ref, challenger: null });
    promo.push(performance.now() - t0);
    if (h.current.champion.metadata.version !== ref.version) throw new Error('not promoted');
    await h.close();
  }
  promo.sort((a, b) => a - b);

  // Challenger cost: the same traffic without and with a challenger (timed scorer), alternated
  // three times: the spread between rounds of one kind is the machine's noise.
  const h = holder();
  await h.apply({ champion: null, challenger: ref });
  const ch = h.current.challenger!;
  let chMs = 0;
  let chRows = 0;
  const inner: Scorer = ch.scorer;
  const timed: Scorer = {
    version: inner.version,
    score: async (x, rows, out) => {
      const t0 = performance.now();
      await inner.score(x, rows, out);
      chMs += performance.now() - t0;
      chRows += rows;
    },
  };
  Object.defineProperty(ch, 'scorer', { value: timed });
  const rounds: string[][] = [];
  for (let k = 0; k < 3; k++) {
    rounds.push(row(`no challenger, round ${k + 1}`, await run(holder(), 2 * k * CALLS)));
    rounds.push(row(`with challenger, round ${k + 1}`, await run(h, (2 * k + 1) * CALLS)));
  }
  return [
    '## Models: promotion and the challenger (`bench/models.bench.ts`)',
    '',
    `Promotion at one edge once the artifact is at hand (SHA-256, metadata, trees read from the ONNX, a new ORT session built beside the serving one, the switch): median ${fmt(promo[2]!, 1)} ms, max ${fmt(promo[4]!, 1)} ms over 5 runs (edge/test-model, 10 trees). Every edge learns of a promotion at its next rules sync (\`VIGIL_RULES_SYNC_MS\`, default 1 s), then fetches the artifact: the system test (scripts/system-models.test.ts) asserts it is served within 30 s on workerd and Node.`,
    '',
    `The challenger: ${fmt((chMs / chRows) * 1000, 1)} µs per transaction awaited in its scorer (its own ORT session behind the Node edge's micro-batching: that includes waiting for a shared run, not only CPU), spent after each answer; its CPU cost is the difference of the last column (the whole run's wall time per call until every event, challenger included, is out). Answer latency of ${CALLS} single-payment calls in ${LANES} closed-loop lanes, in-process over the memory store, alternating without and with a challenger (µs):`,
    '',
    table(
      ['', 'answer p50 (µs)', 'answer p99 (µs)', 'wall time per call, events out (µs)'],
      rounds,
    ),
    '',
  ].join('\n');
}

function row(name: string, r: { lat: Float64Array; perCallMs: number }): string[] {
  const l = r.lat;
  return [
    name,
    fmt(percentile(l, 50) * 1000, 0),
    fmt(percentile(l, 99) * 1000, 0),
    fmt(r.perCallMs * 1000, 1),
  ];
}
