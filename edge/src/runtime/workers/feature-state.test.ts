/**
 * The FeatureState Durable Object in workerd (the Worker bundled by wrangler, run by Miniflare
 * with SQLite-backed Durable Objects): the port's contract through the same client the Worker uses
 * (one object per test, by name), and a restart of workerd on persisted storage that forgets
 * nothing — a label on a transaction scored before it applies, a reuse of its id with another
 * amount is 422, its replay returns the first answer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import type { StepOptions, StepOutcome } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFeatureStoreContract } from '../../stores/feature-store.contract.js';
import { DurableFeatureStore, type FeatureStateNamespace } from './durable-feature-store.js';
import { bundleWorker, type WorkerBundle } from './host/bundle.js';
import { startWorkerd, type WorkerdEdge } from './host/start-workerd.js';

const KEY = 'feature-state-test-key-0123456789';
const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

let outdir: string;
let bundle: WorkerBundle;
let worker: WorkerdEdge;
let n = 0;

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'vigil-feature-state-'));
  bundle = await bundleWorker(outdir);
  worker = await startWorkerd(bundle, { bindings: { VIGIL_API_KEYS: KEY } });
});

afterAll(async () => {
  await worker?.dispose();
  if (outdir) await rm(outdir, { recursive: true, force: true });
});

// Miniflare's proxy stands for the Worker's binding: the client is the Worker's own class.
// The object runs on workerd's clock: the one test that moves the test's clock is left out.
describeFeatureStoreContract(
  'durable object',
  async () => {
    const ns = await worker.durableObjects('FEATURE_STATE');
    return new DurableFeatureStore(ns as unknown as FeatureStateNamespace, `t${n++}`);
  },
  { wallClock: true },
);

it.each([
  ['list kinds', { listKinds: ['email'] }],
  ['velocity states', { velocity: ['card'] }],
  ['velocity states', { velocity: 'ip' }],
])('refuses step options that are not %s: the RPC is a border', async (_, options) => {
  const ns = (await worker.durableObjects('FEATURE_STATE')) as unknown as FeatureStateNamespace;
  const stub = ns.get(ns.idFromName(`t${n++}`));
  const t = { transactionId: 'k', customerId: 'c', terminalId: 't', timeSec: 1e9, amount: 1 };
  const bad = options as unknown as StepOptions;
  // (Miniflare's proxy does not carry the object's message across: the refusal is what counts.)
  await expect(stub.step([t], bad)).rejects.toThrow();
  // Nothing was applied: the same id with another amount is fresh, not a conflict.
  const [o] = (await stub.step([{ ...t, amount: 2 }], {
    listKinds: [],
    velocity: [],
  })) as StepOutcome[];
  expect(o?.kind).toBe('fresh');
});

const tx = (amount: number) => ({
  transaction_id: 'tx_restart_1',
  timestamp: '2024-03-04T10:00:00Z',
  customer_id: 'c_restart',
  terminal_id: 't_restart',
  amount,
});

async function post(edge: WorkerdEdge, path: string, body: unknown): Promise<Response> {
  return fetch(new URL(path, edge.url), {
    method: 'POST',
    headers: auth,
    body: JSON.stringify(body),
  });
}

describe('the Worker with VIGIL_FEATURE_STORE=durable across a restart of workerd', () => {
  it('keeps records, answers and labels: a label applies, a reused id is 422, a replay replays', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-feature-state-persist-'));
    let edge = await startWorkerd(bundle, { bindings: { VIGIL_API_KEYS: KEY }, persistDir: dir });
    try {
      const first = await post(edge, '/v1/score', tx(40));
      expect(first.status).toBe(200);
      const answer = (await first.json()) as { score: number; replayed: boolean };
      expect(answer.replayed).toBe(false);
      // The answer is saved off the response path: wait until a retry replays it.
      for (let i = 0; i < 100; i++) {
        const r = await post(edge, '/v1/score', tx(40));
        if (r.status === 200 && ((await r.json()) as { replayed: boolean }).replayed) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await edge.dispose();

      edge = await startWorkerd(bundle, { bindings: { VIGIL_API_KEYS: KEY }, persistDir: dir });
      const label = await post(edge, '/v1/feedback', {
        transaction_id: 'tx_restart_1',
        label: 'fraud',
        timestamp: '2024-03-05T10:00:00Z',
      });
      expect(label.status).toBe(202);
      const reused = await post(edge, '/v1/score', tx(41));
      expect(reused.status).toBe(422);
      expect(((await reused.json()) as { type: string }).type).toMatch(/transaction-id-reused/);
      const replay = await post(edge, '/v1/score', tx(40));
      expect(replay.status).toBe(200);
      expect(await replay.json()).toMatchObject({ score: answer.score, replayed: true });
    } finally {
      await edge.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('loads storage written before verdict times were kept: its verdicts are the oldest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-feature-state-old-'));
    // The object's storage as the journal before verdict times wrote it (no label_time_us), with
    // one record labelled fraud, written by a stand-in object of the same Worker and class name.
    const old = new Miniflare({
      name: 'vigil-edge',
      modules: true,
      script: `
        import { DurableObject } from 'cloudflare:workers';
        export class FeatureState extends DurableObject {
          fetch() {
            const sql = this.ctx.storage.sql;
            sql.exec('CREATE TABLE fs_customers (id TEXT PRIMARY KEY, state BLOB NOT NULL)');
            sql.exec('CREATE TABLE fs_terminals (id TEXT PRIMARY KEY, state BLOB NOT NULL)');
            sql.exec('CREATE TABLE fs_records (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, ' +
              'terminal_id TEXT NOT NULL, time_sec REAL NOT NULL, amount REAL NOT NULL, ' +
              'label INTEGER NOT NULL, answer TEXT)');
            sql.exec("INSERT INTO fs_records VALUES ('tx_old', 'c_old', 't_old', 1709546400, 40, 1, NULL)");
            return new Response('ok');
          }
        }
        export default {
          fetch(request, env) {
            return env.FEATURE_STATE.get(env.FEATURE_STATE.idFromName('global')).fetch(request);
          },
        };`,
      durableObjects: { FEATURE_STATE: { className: 'FeatureState', useSQLite: true } },
      durableObjectsPersist: dir,
    });
    try {
      expect(await (await old.dispatchFetch('http://old/')).text()).toBe('ok');
    } finally {
      await old.dispose();
    }
    const edge = await startWorkerd(bundle, { bindings: { VIGIL_API_KEYS: KEY }, persistDir: dir });
    try {
      const verdict = (label: string, timestamp: string) =>
        post(edge, '/v1/feedback', { transaction_id: 'tx_old', label, timestamp });
      // Any dated verdict is later than the fraud of unknown time; then an older one loses.
      const later = await verdict('legitimate', '2024-03-04T10:00:00Z');
      expect(later.status).toBe(202);
      expect(await later.json()).toMatchObject({ outcome: 'applied' });
      const older = await verdict('fraud', '2024-03-04T09:00:00Z');
      expect(older.status).toBe(202);
      expect(await older.json()).toMatchObject({ outcome: 'unchanged' });
      // The record's payload was read back: its id reused with another amount is refused.
      const reused = await post(edge, '/v1/score', {
        transaction_id: 'tx_old',
        timestamp: '2024-03-04T10:00:00Z',
        customer_id: 'c_old',
        terminal_id: 't_old',
        amount: 41,
      });
      expect(reused.status).toBe(422);
    } finally {
      await edge.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps per-isolate memory selectable: VIGIL_FEATURE_STORE=memory forgets on restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-feature-state-memory-'));
    const bindings = { VIGIL_API_KEYS: KEY, VIGIL_FEATURE_STORE: 'memory' };
    let edge = await startWorkerd(bundle, { bindings, persistDir: dir });
    try {
      expect((await post(edge, '/v1/score', tx(40))).status).toBe(200);
      await edge.dispose();
      edge = await startWorkerd(bundle, { bindings, persistDir: dir });
      const label = await post(edge, '/v1/feedback', {
        transaction_id: 'tx_restart_1',
        label: 'fraud',
        timestamp: '2024-03-05T10:00:00Z',
      });
      expect(label.status).toBe(404);
    } finally {
      await edge.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
