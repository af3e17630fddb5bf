// The model holder with real ORT sessions and the real memory store: the cold start answered by
// core's tree walk, a champion swapped while calls are in flight, bad artifacts refused, old
// sessions released only after their last call, and the challenger's verdicts on the decision
// events. The registry is played by a function handing over verified artifacts of the committed
// models (edge/test-model: deployed; edge/model: the one promoted); no timing is asserted.
import { readFile } from 'node:fs/promises';
import {
  decide,
  FEATURE_NAMES,
  N_FEATURES,
  parseModelMetadata,
  parseTreeEnsemble,
  predictProbability,
  type DecisionEventV1,
  type ModelRef,
  type RulesSyncAnswer,
  type RulesSyncRequest,
  type Thresholds,
  type TrainedModelMetadata,
  type TreeEnsemble,
  type VigilEvent,
} from '@vigil/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWebCryptoHmac } from '../events/web-crypto-hmac.js';
import { createEdgeRules } from '../rules/edge-rules.js';
import { createMemoryFeatureStore } from '../stores/memory-feature-store.js';
import {
  BadArtifactError,
  sha256Hex,
  verifyArtifact,
  type VerifiedArtifact,
} from './model-artifacts.js';
import { ModelHolder, servedEntry, type SessionFactory } from './model-holder.js';
import { createOrtScorer, type OrtScorer } from './ort-scorer.js';
import { ScoringService } from './scoring-service.js';
import { paymentRun, strictObserver } from './test-scoring-support.js';
import { testModelFiles } from './test-model-files.js';

const MODEL_DIR = new URL('../../model/', import.meta.url);

interface Artifact {
  readonly ref: ModelRef;
  readonly metadata: TrainedModelMetadata;
  readonly onnx: Uint8Array<ArrayBuffer>;
  readonly base64: string;
  readonly trees: TreeEnsemble;
}

/** A rules sync answer with nothing new but the models (set by each test). */
const EMPTY_ANSWER = { ruleset: null, lists: [], changes: [], cursor: 'x.0', more: false };

let promoted: Artifact;
beforeAll(async () => {
  const onnx = new Uint8Array(await readFile(new URL('vigil-model.onnx', MODEL_DIR)));
  const json = async (name: string) =>
    JSON.parse(await readFile(new URL(name, MODEL_DIR), 'utf8')) as unknown;
  const metadata = (await json('vigil-model.json')) as TrainedModelMetadata;
  promoted = {
    ref: { version: metadata.version, sha256: await sha256Hex(onnx) },
    metadata,
    onnx,
    base64: Buffer.from(onnx).toString('base64'),
    trees: parseTreeEnsemble(await json('vigil-model.trees.json')),
  };
});

/** Sessions that say when they are released; `gate` holds every build until it resolves. */
function sessions(gate: Promise<void> = Promise.resolve()) {
  const released: string[] = [];
  const createSession: SessionFactory = async (input) => {
    await gate;
    const s = await createOrtScorer(input);
    return {
      version: s.version,
      score: (x, rows, out) => s.score(x, rows, out),
      release: () => {
        released.push(s.version);
        return s.release();
      },
    } satisfies OrtScorer;
  };
  return { createSession, released };
}

async function deployedEntry(createSession: SessionFactory) {
  const files = await testModelFiles();
  return servedEntry(
    parseModelMetadata(files.metadata),
    parseTreeEnsemble(files.trees),
    files.onnx,
    createSession,
    null,
  );
}

function holderWith(
  createSession: SessionFactory,
  deployed: Awaited<ReturnType<typeof deployedEntry>>,
) {
  const fetched: string[] = [];
  const logs: unknown[] = [];
  const holder = new ModelHolder({
    deployed,
    createSession,
    fetchArtifact: (ref): Promise<VerifiedArtifact> => {
      fetched.push(ref.version);
      return verifyArtifact(ref, {
        version: promoted.ref.version,
        sha256: promoted.ref.sha256,
        metadata: promoted.metadata,
        onnx: promoted.base64,
      });
    },
    log: (e) => logs.push(e),
  });
  return { holder, fetched, logs };
}

/** Rows of deterministic feature values around the trees' thresholds. */
function rows(e: TreeEnsemble, n: number): Float32Array {
  const x = new Float32Array(n * N_FEATURES);
  for (let i = 0; i < x.length; i++) {
    x[i] = e.threshold[(i * 7919) % e.threshold.length]! * (0.6 + ((i * 13) % 9) / 10);
  }
  return x;
}

describe('WarmingScorer: the cold start', () => {
  it("answers with core's tree walk until the session is built, then ORT — equal within 1e-5", async () => {
    let open!: () => void;
    const { createSession } = sessions(new Promise<void>((r) => (open = r)));
    const entry = await deployedEntry(createSession);
    const n = 200;
    const x = rows(entry.ensemble, n);
    const cold = new Float32Array(n);
    await entry.scorer.score(x, n, cold);
    expect(entry.scorer.warm).toBe(false);
    open();
    expect(await entry.scorer.ready).toBe(true);
    expect(entry.scorer.warm).toBe(true);
    const warm = new Float32Array(n);
    await entry.scorer.score(x, n, warm);
    let worst = 0;
    for (let k = 0; k < n; k++) worst = Math.max(worst, Math.abs(cold[k]! - warm[k]!));
    expect(worst).toBeLessThan(1e-5);
    // Not the same code path: before `open()` no session existed to answer.
    expect(new Set(Array.from(warm)).size).toBeGreaterThan(1);
    await entry.scorer.release();
  });
});

describe('ModelHolder', () => {
  it('promotes while calls are in flight: none fails, each call is one model, both are seen', async () => {
    const { createSession } = sessions();
    const deployed = await deployedEntry(createSession);
    await deployed.scorer.ready;
    const { holder } = holderWith(createSession, deployed);
    const scoring = new ScoringService({
      store: createMemoryFeatureStore(),
      models: holder,
      featureTimeoutMs: 1_000,
      observer: strictObserver,
      runtime: 'node',
      maxBatch: 50,
    });
    const versions: string[][] = [];
    let stop = false;
    const flow = async (lane: number) => {
      // A macrotask between calls, as between requests: the swap's digest and build get turns.
      for (let round = 0; (!stop || round < 3) && round < 500; round++) {
        const r = await scoring.score(paymentRun(20, `l${lane}_r${round}`));
        expect(r.kind).toBe('answered');
        if (r.kind !== 'answered') return;
        versions.push(
          r.answers.map((a) => (JSON.parse(a) as { model_version: string }).model_version),
        );
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const lanes = [0, 1, 2, 3].map(flow);
    await holder.apply({ champion: promoted.ref, challenger: null });
    stop = true;
    await Promise.all(lanes);
    expect(holder.current.champion.metadata.version).toBe(promoted.ref.version);
    // Never a mix within one call.
    for (const v of versions) expect(new Set(v).size).toBe(1);
    const seen = new Set(versions.map((v) => v[0]));
    expect(seen).toEqual(new Set([deployed.metadata.version, promoted.ref.version]));
    // Rolled back: `champion: null` serves the deployed model again, without a fetch.
    await holder.apply({ champion: null, challenger: null });
    expect(holder.current.champion).toBe(deployed);
    const r = await scoring.score(paymentRun(3, 'after'));
    expect(r.kind === 'answered' && JSON.parse(r.answers[0]!)).toMatchObject({
      model_version: deployed.metadata.version,
    });
    await holder.close();
  });

  it('releases a swapped-out session only after the last call that leased it', async () => {
    const { createSession, released } = sessions();
    const deployed = await deployedEntry(createSession);
    const { holder } = holderWith(createSession, deployed);
    await holder.apply({ champion: promoted.ref, challenger: null });
    const lease = holder.lease();
    expect(lease.models.champion.metadata.version).toBe(promoted.ref.version);
    await holder.apply({ champion: null, challenger: null });
    expect(released).not.toContain(promoted.ref.version);
    // The leased model still scores.
    const out = new Float32Array(1);
    await lease.models.champion.scorer.score(rows(promoted.trees, 1), 1, out);
    expect(out[0]).toBeCloseTo(predictProbability(promoted.trees, rows(promoted.trees, 1)), 5);
    lease.done();
    await Promise.resolve();
    expect(released).toContain(promoted.ref.version);
    // The deployed model is never released by a swap.
    expect(released).not.toContain(deployed.metadata.version);
    await holder.close();
  });

  it('keeps the models in force on a bad artifact, counts it, and does not fetch it again', async () => {
    const { createSession } = sessions();
    const deployed = await deployedEntry(createSession);
    const { holder, fetched, logs } = holderWith(createSession, deployed);
    const wrong: ModelRef = { version: promoted.ref.version, sha256: 'ab'.repeat(32) };
    await expect(
      verifyArtifact(wrong, {
        ...promoted.ref,
        metadata: promoted.metadata,
        onnx: promoted.base64,
      }),
    ).rejects.toThrow(BadArtifactError);
    await holder.apply({ champion: wrong, challenger: null });
    await holder.apply({ champion: wrong, challenger: null });
    expect(holder.current.champion).toBe(deployed);
    expect(fetched).toEqual([promoted.ref.version]);
    expect(logs).toHaveLength(1);
    const out: string[] = [];
    holder.render(out);
    expect(out).toContain('vigil_model_load_failures_total{reason="bad_artifact"} 1');
    expect(out.join('\n')).toContain(
      `vigil_served_model{role="champion",version="${deployed.metadata.version}",source="deployed"} 1`,
    );
    await holder.close();
  });

  it("puts the challenger's score and decision on each decision event: the model's own within 1e-5", async () => {
    const { createSession } = sessions();
    const deployed = await deployedEntry(createSession);
    const { holder } = holderWith(createSession, deployed);
    await holder.apply({ champion: null, challenger: promoted.ref });
    expect(holder.current.challenger?.metadata.version).toBe(promoted.ref.version);
    const events: VigilEvent[] = [];
    let done!: () => void;
    const emitted = new Promise<void>((r) => (done = r));
    const scoring = new ScoringService({
      store: createMemoryFeatureStore(),
      models: holder,
      featureTimeoutMs: 1_000,
      sink: {
        emit: (e) => {
          events.push(...e);
          done();
        },
      },
      observer: strictObserver,
      runtime: 'node',
      maxBatch: 50,
    });
    const r = await scoring.score(paymentRun(40, 'ch'));
    expect(r.kind).toBe('answered');
    await emitted;
    expect(events).toHaveLength(40);
    const row = new Float32Array(N_FEATURES);
    for (const e of events as DecisionEventV1[]) {
      expect(e.model_version).toBe(deployed.metadata.version);
      const c = e.challenger!;
      expect(c.model_version).toBe(promoted.ref.version);
      FEATURE_NAMES.forEach((name, f) => (row[f] = e.features[name]!));
      const offline = predictProbability(promoted.trees, row);
      expect(Math.abs(c.score - offline)).toBeLessThan(1e-5);
      expect(c.decision).toBe(decide(c.score, promoted.metadata.thresholds));
    }
    // The challenger is a different model: its scores are not the champion's.
    expect((events as DecisionEventV1[]).some((e) => e.challenger!.score !== e.score)).toBe(true);
    await holder.close();
  });

  it('a sync naming a new champion with thresholds set for it: its first answer decides with them', async () => {
    const { createSession } = sessions();
    const deployed = await deployedEntry(createSession);
    const set = { review: 0.03, decline: 0.22 };
    const setDeployed = { review: 0.04, decline: 0.5 };
    // What decides at the instant of each swap: the first answer of the new champion.
    const atSwap: { version: string; thresholds: Thresholds }[] = [];
    // The scoring service is built on the holder below; the swap hook reads it through this.
    const at: { scoring?: ScoringService } = {};
    const holder = new ModelHolder({
      deployed,
      createSession,
      fetchArtifact: (ref) =>
        verifyArtifact(ref, {
          ...promoted.ref,
          metadata: promoted.metadata,
          onnx: promoted.base64,
        }),
      log: () => undefined,
      onServe: (m) =>
        atSwap.push({
          version: m.champion.metadata.version,
          thresholds: at.scoring!.thresholdsInForce,
        }),
    });
    // The backplane: the first sync promotes the registry model, the second rolls back to the
    // deployed one; each answer carries the thresholds set for the versions it names.
    const answers: RulesSyncAnswer[] = [
      {
        ...EMPTY_ANSWER,
        models: {
          champion: promoted.ref,
          challenger: null,
          thresholds: { [promoted.ref.version]: set },
        },
      },
      {
        ...EMPTY_ANSWER,
        models: {
          champion: null,
          challenger: null,
          thresholds: { [deployed.metadata.version]: setDeployed },
        },
      },
    ];
    const asked: RulesSyncRequest[] = [];
    const rules = createEdgeRules({
      backplane: { url: 'http://bp', eventsSecret: 'sync-secret-0123456789' },
      hmac: createWebCryptoHmac(),
      store: createMemoryFeatureStore(),
      intervalMs: 60_000,
      log: () => undefined,
      models: holder,
      fetch: ((_url: string, init: RequestInit) => {
        asked.push(JSON.parse(init.body as string) as RulesSyncRequest);
        return Promise.resolve(new Response(JSON.stringify(answers.shift())));
      }) as unknown as typeof fetch,
    });
    at.scoring = new ScoringService({
      store: createMemoryFeatureStore(),
      models: holder,
      rules,
      featureTimeoutMs: 1_000,
      observer: strictObserver,
      runtime: 'node',
      maxBatch: 50,
    });
    expect(await rules.sync()).toBe(true);
    expect(await rules.sync()).toBe(true);
    expect(atSwap).toEqual([
      { version: promoted.ref.version, thresholds: set },
      { version: deployed.metadata.version, thresholds: setDeployed },
    ]);
    // The edge names its deployed version, so a roll-back to it carries its thresholds too.
    expect(asked[0]!.models).toEqual({
      champion: null,
      challenger: null,
      deployed: deployed.metadata.version,
    });
    await holder.close();
  });
});
