// The Node edge's challenger thread with real ORT sessions in a real worker thread, fed by the
// real scoring service over the memory store: the challenger's verdicts on the decision events
// equal the model's own offline (within 1e-5), a swap reaches the thread, a thread behind its
// bound or dead costs the events their `challenger` (counted) but never the events.
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import {
  decide,
  FEATURE_NAMES,
  N_FEATURES,
  parseModelMetadata,
  parseTreeEnsemble,
  predictProbability,
  type DecisionEventV1,
  type ModelRef,
  type TrainedModelMetadata,
  type TreeEnsemble,
  type VigilEvent,
} from '@vigil/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex, verifyArtifact } from '../../scoring/model-artifacts.js';
import { ModelHolder, servedEntry } from '../../scoring/model-holder.js';
import { createOrtScorer } from '../../scoring/ort-scorer.js';
import { ScoringService } from '../../scoring/scoring-service.js';
import { paymentRun, strictObserver } from '../../scoring/test-scoring-support.js';
import { TEST_MODEL_DIR } from '../../scoring/test-model-files.js';
import { createMemoryFeatureStore } from '../../stores/memory-feature-store.js';
import { ChallengerThread, spawnChallengerWorker } from './challenger-thread.js';

interface Model {
  readonly ref: ModelRef;
  readonly metadata: TrainedModelMetadata;
  readonly onnx: Uint8Array<ArrayBuffer>;
  readonly trees: TreeEnsemble;
}

async function readModel(dir: string): Promise<Model> {
  const onnx = new Uint8Array(await readFile(`${dir}/vigil-model.onnx`));
  const json = async (name: string) =>
    JSON.parse(await readFile(`${dir}/${name}`, 'utf8')) as unknown;
  const metadata = (await json('vigil-model.json')) as TrainedModelMetadata;
  return {
    ref: { version: metadata.version, sha256: await sha256Hex(onnx) },
    metadata,
    onnx,
    trees: parseTreeEnsemble(await json('vigil-model.trees.json')),
  };
}

let served: Model; // edge/model: the first challenger
let small: Model; // edge/test-model, registered: the deployed model and the second challenger
beforeAll(async () => {
  served = await readModel(new URL('../../../model', import.meta.url).pathname);
  small = await readModel(TEST_MODEL_DIR.replace(/\/$/, ''));
});

const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closing.splice(0)) await c();
});

/** A holder (deployed: the test model) and a scoring service whose challenger runs in `thread`. */
function edge(thread: ChallengerThread) {
  const deployed = servedEntry(
    parseModelMetadata(small.metadata),
    small.trees,
    small.onnx,
    createOrtScorer,
    null,
  );
  const byVersion = new Map([served, small].map((m) => [m.ref.sha256, m]));
  const holder = new ModelHolder({
    deployed,
    createSession: createOrtScorer,
    fetchArtifact: (ref) => {
      const m = byVersion.get(ref.sha256)!;
      return verifyArtifact(ref, {
        ...m.ref,
        metadata: m.metadata,
        onnx: Buffer.from(m.onnx).toString('base64'),
      });
    },
    onServe: (models) => thread.serve(models),
    log: () => {},
  });
  const events: DecisionEventV1[] = [];
  let waiting: { n: number; done: () => void } | null = null;
  const scoring = new ScoringService({
    store: createMemoryFeatureStore(),
    models: holder,
    featureTimeoutMs: 1_000,
    sink: {
      emit: (e: readonly VigilEvent[]) => {
        events.push(...(e as DecisionEventV1[]));
        if (waiting && events.length >= waiting.n) waiting.done();
      },
    },
    observer: strictObserver,
    runtime: 'node',
    maxBatch: 100,
    challenger: thread,
  });
  closing.push(async () => {
    await thread.close();
    await holder.close();
  });
  /** Score `n` payments in one call; the call's decision events once all are out. */
  const call = async (n: number, run: string) => {
    const from = events.length;
    const emitted = new Promise<void>((done) => (waiting = { n: from + n, done }));
    expect((await scoring.score(paymentRun(n, run))).kind).toBe('answered');
    await emitted;
    return events.slice(from);
  };
  return { holder, call };
}

/** Every event carries `m`'s verdict, equal to its trees' offline score within 1e-5. */
function expectChallenger(events: readonly DecisionEventV1[], m: Model): void {
  const row = new Float32Array(N_FEATURES);
  for (const e of events) {
    const c = e.challenger;
    expect(c?.model_version).toBe(m.ref.version);
    FEATURE_NAMES.forEach((name, f) => (row[f] = e.features[name]!));
    expect(Math.abs(c!.score - predictProbability(m.trees, row))).toBeLessThan(1e-5);
    expect(c!.decision).toBe(decide(c!.score, m.metadata.thresholds));
  }
}

function metrics(thread: ChallengerThread): string {
  const out: string[] = [];
  thread.render(out);
  return out.join('\n');
}

describe('ChallengerThread', () => {
  it("scores the challenger in its worker: the events carry the model's own verdicts (1e-5), and a swap reaches the worker", async () => {
    const thread = new ChallengerThread({ log: () => {} });
    const { holder, call } = edge(thread);
    await holder.apply({ champion: null, challenger: served.ref });
    const first = await call(40, 'a');
    expect(first).toHaveLength(40);
    expectChallenger(first, served);
    // The challenger is another model than the champion: its scores differ somewhere.
    expect(first.some((e) => e.challenger!.score !== e.score)).toBe(true);

    await holder.apply({ champion: null, challenger: small.ref });
    const second = await call(30, 'b');
    expectChallenger(second, small);
    const text = metrics(thread);
    expect(text).toContain('vigil_challenger_worker_starts_total 1');
    expect(text).toContain('vigil_challenger_skipped_total{reason="behind"} 0');
    expect(text).toContain('vigil_challenger_skipped_total{reason="failed"} 0');
  });

  it('emits the events without the challenger, counted, when the thread is behind beyond its bound', async () => {
    const thread = new ChallengerThread({ log: () => {}, maxRows: 10 });
    const { holder, call } = edge(thread);
    await holder.apply({ champion: null, challenger: served.ref });
    const over = await call(11, 'c');
    expect(over).toHaveLength(11);
    expect(over.every((e) => e.challenger === undefined)).toBe(true);
    expect(metrics(thread)).toContain('vigil_challenger_skipped_total{reason="behind"} 11');
    // Within the bound, it scores again.
    expectChallenger(await call(10, 'd'), served);
  });

  it('respawns a worker that died: that batch goes without the challenger, counted; the next has it', async () => {
    let spawns = 0;
    const logs: unknown[] = [];
    const thread = new ChallengerThread({
      log: (e) => logs.push(e),
      respawnDelayMs: 0,
      // The first worker dies at its first batch (after the load, which it ignores).
      spawn: () =>
        spawns++ === 0
          ? new Worker(
              "const { parentPort } = require('node:worker_threads');" +
                "parentPort.on('message', (m) => { if (m.type === 'score') process.exit(3); });",
              { eval: true },
            )
          : spawnChallengerWorker(),
    });
    const { holder, call } = edge(thread);
    await holder.apply({ champion: null, challenger: served.ref });
    const lost = await call(5, 'e');
    expect(lost).toHaveLength(5);
    expect(lost.every((e) => e.challenger === undefined)).toBe(true);
    expect(metrics(thread)).toContain('vigil_challenger_skipped_total{reason="failed"} 5');
    expect(logs).toHaveLength(1);
    expectChallenger(await call(6, 'f'), served);
    expect(metrics(thread)).toContain('vigil_challenger_worker_starts_total 2');
  });
  it('replaces a worker that does not answer by the deadline: that batch goes without the challenger, counted as late', async () => {
    let spawns = 0;
    const thread = new ChallengerThread({
      log: () => {},
      deadlineMs: 1,
      loadDeadlineMs: 1,
      // A worker that takes every message and answers none.
      spawn: () => {
        spawns++;
        return new Worker("require('node:worker_threads').parentPort.on('message', () => {});", {
          eval: true,
        });
      },
    });
    const { holder, call } = edge(thread);
    await holder.apply({ champion: null, challenger: served.ref });
    const late = await call(4, 'g');
    expect(late.every((e) => e.challenger === undefined)).toBe(true);
    expect(metrics(thread)).toContain('vigil_challenger_skipped_total{reason="late"} 4');
    expect(spawns).toBe(1);
  });

  it('sends the calls that come while a batch is at the worker as one batch, once it answers', async () => {
    // A worker that reports each batch's rows, holds the first until released, answers 0.25s.
    const holding = `const { parentPort } = require('node:worker_threads');
      let held = null, released = false;
      const answer = (m) => parentPort.postMessage({ type: 'scores', id: m.id, scores: new Float32Array(m.rows).fill(0.25) });
      parentPort.on('message', (m) => {
        if (m.type === 'release') { released = true; if (held) answer(held); held = null; return; }
        if (m.type !== 'score') return;
        parentPort.postMessage({ type: 'seen', rows: m.rows });
        if (released) answer(m); else held = m;
      });`;
    let worker: Worker | undefined;
    const seen: number[] = [];
    const thread = new ChallengerThread({
      log: () => {},
      spawn: () => {
        worker = new Worker(holding, { eval: true });
        worker.on('message', (m: { type: string; rows: number }) => {
          if (m.type === 'seen') seen.push(m.rows);
        });
        return worker;
      },
    });
    closing.push(() => thread.close());
    const entry = servedEntry(
      parseModelMetadata(small.metadata),
      small.trees,
      small.onnx,
      createOrtScorer,
      null,
    );
    const row = new Float32Array(N_FEATURES);
    const first = thread.score(entry, row, 1);
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 1));
    // Three calls in three turns of the event loop while the first batch is held.
    const next: Promise<Float32Array | null>[] = [];
    for (let k = 0; k < 3; k++) {
      next.push(thread.score(entry, row, 1));
      await new Promise((r) => setImmediate(r));
    }
    worker!.postMessage({ type: 'release' });
    const scores = await Promise.all([first, ...next]);
    expect(scores.map((s) => (s ? [...s] : null))).toEqual([[0.25], [0.25], [0.25], [0.25]]);
    expect(seen).toEqual([1, 3]);
    expect(metrics(thread)).toContain('vigil_challenger_skipped_total{reason="late"} 0');
  });
});
