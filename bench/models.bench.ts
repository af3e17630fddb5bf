/**
 * The model registry at the edge (issue 18): how long a promotion takes once the artifact is at
 * hand (digest, metadata, trees from the ONNX, a new ORT session — the fetch is the network's),
 * and what a challenger costs the answer. In-process on Node, over the real memory store and ORT,
 * wired as runtime/node/main.ts wires the edge: the champion micro-batched in the main thread,
 * the challenger in its worker thread (runtime/node/challenger-thread.ts).
 *
 * The answer's latency without and with a challenger, alternated (A/B/A/B…) so the spread between
 * rounds of one kind shows the noise: saturated (closed-loop lanes), and open-loop at a fixed rate
 * below saturation (latency from each payment's scheduled time: a stall delays the ones behind
 * it, as it would real clients). CPU per decision is read per thread from /proc (main thread and
 * the challenger's worker); the in-process load generator's own CPU is measured apart, driving a
 * target that does nothing. Every payment has an id never sent before in this run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import {
  parseModelMetadata,
  parseTreeEnsemble,
  type TrainedModelMetadata,
  type Transaction,
} from '@vigil/core';
import { ChallengerThread } from '../edge/src/runtime/node/challenger-thread.js';
import { readModelFiles } from '../edge/src/runtime/node/read-model-files.js';
import { sha256Hex, verifyArtifact } from '../edge/src/scoring/model-artifacts.js';
import { ModelHolder, servedEntry, type SessionFactory } from '../edge/src/scoring/model-holder.js';
import { MicroBatchScorer } from '../edge/src/scoring/micro-batch-scorer.js';
import { createOrtScorer } from '../edge/src/scoring/ort-scorer.js';
import { ScoringService, type ScoringObserver } from '../edge/src/scoring/scoring-service.js';
import { testModelFiles } from '../edge/src/scoring/test-model-files.js';
import { createMemoryFeatureStore } from '../edge/src/stores/memory-feature-store.js';
import { fmt, fmtInt, percentile, table } from './stats.js';

const CALLS = 10_000;
const LANES = 4;
const ROUNDS = 4;

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

/** CPU seconds of one thread of this process, from /proc (10 ms ticks). */
function threadCpu(tid: string): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
const tids = () => new Set(readdirSync('/proc/self/task'));
/** The main thread's id is the process id. */
const MAIN = String(process.pid);

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
  const holder = (thread?: ChallengerThread) =>
    new ModelHolder({
      deployed,
      createSession,
      fetchArtifact: (r) => verifyArtifact(r, { ...ref, metadata, onnx: base64 }),
      ...(thread ? { onServe: (m) => thread.serve(m) } : {}),
      log: () => {},
    });
  return { ref, holder };
}

let nextId = 0;
function tx(): Transaction {
  const i = nextId++;
  return {
    transaction_id: `bench_m_${i}`,
    timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1_000).toISOString(),
    customer_id: `c_${i % 500}`,
    terminal_id: `t_${i % 80}`,
    amount: 5 + ((i * 37) % 400),
  };
}

type Score = (t: Transaction) => Promise<unknown>;
interface Target {
  readonly score: Score;
  /** Resolves when every event of the calls made so far is out (challenger included). */
  drained(): Promise<void>;
}

function target(holder: ModelHolder, thread?: ChallengerThread): Target {
  let emitted = 0;
  let called = 0;
  const scoring = new ScoringService({
    store: createMemoryFeatureStore(),
    models: holder,
    featureTimeoutMs: 1_000,
    sink: { emit: (e) => void (emitted += e.length) },
    observer,
    runtime: 'node',
    maxBatch: 10,
    ...(thread ? { challenger: thread } : {}),
  });
  return {
    score: (t) => {
      called++;
      return scoring.score([t]);
    },
    drained: async () => {
      while (emitted < called) await new Promise((r) => setTimeout(r, 1));
    },
  };
}

interface Run {
  readonly lat: Float64Array;
  /** Calls per second over the whole run, until every event was out. */
  readonly rate: number;
  /** CPU µs per call: the main thread, and the challenger's worker thread. */
  readonly mainUs: number;
  readonly workerUs: number;
}

/** Closed loop: LANES lanes, each sending its next payment when the last was answered. */
async function saturated(score: Score): Promise<Float64Array> {
  const lat = new Float64Array(CALLS);
  let next = 0;
  const lane = async () => {
    while (next < CALLS) {
      const i = next++;
      const t0 = performance.now();
      await score(tx());
      lat[i] = performance.now() - t0;
      // A turn of the event loop between payments, as between requests.
      await new Promise((r) => setImmediate(r));
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
  return lat;
}

/** The generator's lag at the fixed rate: p99 of (sent − due), ms, of the last fixedRate run. */
let lagP99 = 0;

/**
 * Open loop: payment i is due at i / rate and sent once due, one per turn of the event loop,
 * whatever the answers before it; latency counts from its sending. Between due times the
 * generator sleeps on a 1 ms timer, leaving the CPU to the edge.
 */
async function fixedRate(score: Score, perSecond: number): Promise<Float64Array> {
  const lat = new Float64Array(CALLS);
  const lag = new Float64Array(CALLS);
  const gapMs = 1000 / perSecond;
  const start = performance.now();
  const calls: Promise<unknown>[] = [];
  let i = 0;
  while (i < CALLS) {
    if (start + i * gapMs > performance.now()) {
      await new Promise((r) => setTimeout(r, 1));
      continue;
    }
    const k = i++;
    const sent = performance.now();
    lag[k] = sent - (start + k * gapMs);
    calls.push(score(tx()).then(() => (lat[k] = performance.now() - sent)));
    // One payment per turn of the event loop, as requests read off separate sockets arrive.
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(calls);
  lagP99 = percentile(lag.sort(), 99);
  return lat;
}

async function measure(
  t: Target,
  load: (score: Score) => Promise<Float64Array>,
  worker: readonly string[],
): Promise<Run> {
  const cpu = () => [threadCpu(MAIN), worker.reduce((s, id) => s + threadCpu(id), 0)] as const;
  const [m0, w0] = cpu();
  const t0 = performance.now();
  const lat = await load(t.score);
  await t.drained();
  const seconds = (performance.now() - t0) / 1000;
  const [m1, w1] = cpu();
  return {
    lat: lat.sort(),
    rate: CALLS / seconds,
    mainUs: ((m1 - m0) / CALLS) * 1e6,
    workerUs: ((w1 - w0) / CALLS) * 1e6,
  };
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

  // The challenger's worker: its threads are those that appear when it starts.
  const before = tids();
  const thread = new ChallengerThread({ log: () => {} });
  const withCh = holder(thread);
  await withCh.apply({ champion: null, challenger: ref });
  const without = holder();
  // Its first batch waits for the thread's own session: once, before measuring.
  const warm = target(withCh, thread);
  await warm.score(tx());
  await warm.drained();
  const worker = [...tids()].filter((id) => !before.has(id));

  const la0 = loadavg()[0]!;
  const rows: string[][] = [];
  const add = (name: string, r: Run) =>
    rows.push([
      name,
      fmt(percentile(r.lat, 50) * 1000, 0),
      fmt(percentile(r.lat, 99) * 1000, 0),
      fmtInt(r.rate),
      fmt(r.mainUs, 1),
      fmt(r.workerUs, 1),
    ]);
  // Warm-up (JIT, pools), not reported.
  await measure(target(without), saturated, worker);
  await measure(target(withCh, thread), saturated, worker);
  const rates: number[] = [];
  const lags: number[] = [];
  for (let k = 1; k <= ROUNDS; k++) {
    const a = await measure(target(without), saturated, worker);
    rates.push(a.rate);
    add(`saturated, no challenger, round ${k}`, a);
    add(
      `saturated, with challenger, round ${k}`,
      await measure(target(withCh, thread), saturated, worker),
    );
  }
  // Half the median saturated rate without a challenger: on a shared machine the best round is
  // an outlier the edge cannot hold for long.
  rates.sort((x, y) => x - y);
  const rate = Math.round(rates[Math.floor(rates.length / 2)]! / 2 / 100) * 100;
  for (let k = 1; k <= ROUNDS; k++) {
    add(
      `${fmtInt(rate)}/s, no challenger, round ${k}`,
      await measure(target(without), (s) => fixedRate(s, rate), worker),
    );
    lags.push(lagP99);
    add(
      `${fmtInt(rate)}/s, with challenger, round ${k}`,
      await measure(target(withCh, thread), (s) => fixedRate(s, rate), worker),
    );
    lags.push(lagP99);
  }
  // The load generator alone: the same loops driving a target that answers at once.
  const idle: Target = { score: () => Promise.resolve(), drained: () => Promise.resolve() };
  const genSat = await measure(idle, saturated, worker);
  const genFixed = await measure(idle, (s) => fixedRate(s, rate), worker);
  const la1 = loadavg()[0]!;
  const out: string[] = [];
  thread.render(out);
  const skipped = out
    .filter((l) => l.startsWith('vigil_challenger_skipped_total{'))
    .map((l) => l.replace('vigil_challenger_skipped_total', ''))
    .join(', ');
  await thread.close();
  await withCh.close();
  await without.close();
  return [
    '## Models: promotion and the challenger (`bench/models.bench.ts`)',
    '',
    `Promotion at one edge once the artifact is at hand (SHA-256, metadata, trees read from the ONNX, a new ORT session built beside the serving one, the switch): median ${fmt(promo[2]!, 1)} ms, max ${fmt(promo[4]!, 1)} ms over 5 runs (edge/test-model, 10 trees). Every edge learns of a promotion at its next rules sync (\`VIGIL_RULES_SYNC_MS\`, default 1 s), then fetches the artifact: the system test (scripts/system-models.test.ts) asserts it is served within 30 s on workerd and Node.`,
    '',
    `The challenger on Node runs in a worker thread (edge/src/runtime/node/challenger-thread.ts): one batch at a time is at the thread: the rows of the calls that come while it is scored wait and go together as the next batch (when the thread is idle, a turn's rows go at once), copied into one typed array, transferred to the thread, scored by its own ORT session, and the scores come back the same way before the events go out. Answer latency of ${fmtInt(CALLS)} single-payment calls per round, in-process over the memory store, the committed model as champion and edge/test-model as challenger, alternating without and with a challenger: saturated (${LANES} closed-loop lanes), then open-loop at ${fmtInt(rate)} payments/s (half the median saturated rate without a challenger), one payment per event-loop turn once due, latency from each payment's sending (the generator's lag behind the schedule, p99 per round: ${lags.map((l) => fmt(l, 1)).join(', ')} ms). Throughput counts until every event, challenger included, is out. CPU from /proc per thread (10 ms ticks): the main thread includes the in-process load generator, whose own cost driving a target that does nothing was ${fmt(genSat.mainUs, 1)} µs per call saturated and ${fmt(genFixed.mainUs, 1)} µs per call at the fixed rate. Load average (1 min) ${fmt(la0)} before, ${fmt(la1)} after, on a 2-core machine shared with other work. Challenger skipped (transactions, by reason): ${skipped}.`,
    '',
    table(
      [
        'run',
        'answer p50 (µs)',
        'answer p99 (µs)',
        'payments/s',
        'main thread CPU µs/payment',
        'challenger thread CPU µs/payment',
      ],
      rows,
    ),
    '',
    MODELS_NOTE,
    '',
  ].join('\n');
}

/** How to read the table (numbers stay in docs: the profile of the main thread is in docs/model.md). */
const MODELS_NOTE =
  'Read the rounds of one kind against each other: their spread is the noise; the load average says how busy the machine was. Where the main thread\'s extra microseconds with a challenger go (a CPU profile): docs/model.md, "The challenger".';
