/**
 * The EventOutbox in workerd (the Worker bundled by wrangler, run by Miniflare with SQLite-backed
 * Durable Objects) against a stand-in backplane on loopback: the acceptance drill — the backplane's
 * port closed for 30 s while decisions are scored, then open again — delivers every event with no
 * one lifting a finger; the outbox's bound refuses loudly; and what it holds survives a restart
 * of workerd on persisted storage. And the OutboxStore contract, through Miniflare's proxy of the
 * binding, on a Worker without a backplane (so that no alarm delivers what the contract reads).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEvent } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxStore } from '../../events/outbox.js';
import { describeOutboxStoreContract } from '../../events/outbox-store.contract.js';
import { startTestIngest, type TestIngestServer } from '../../events/test-ingest-server.js';
import { bundleWorker, type WorkerBundle } from './host/bundle.js';
import { startWorkerd, type WorkerdEdge } from './host/start-workerd.js';

const KEY = 'event-outbox-test-key-0123456789';
const SECRET = 'events-secret-0123456789';
const DRILL_DOWN_MS = 30_000;

let outdir: string;
let bundle: WorkerBundle;
let backplane: TestIngestServer;
/** Capacity 1,000 (the smallest VIGIL_OUTBOX_CAPACITY allowed). */
let worker: WorkerdEdge;
/** No VIGIL_BACKPLANE_URL: its outboxes only store. */
let storing: WorkerdEdge;
let objects = 0;
const disposables: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'vigil-outbox-'));
  bundle = await bundleWorker(outdir);
  backplane = await startTestIngest(SECRET);
  worker = await startWorkerd(bundle, { bindings: bindings({ VIGIL_OUTBOX_CAPACITY: '1000' }) });
  storing = await startWorkerd(bundle, { bindings: { VIGIL_API_KEYS: KEY } });
});

afterAll(async () => {
  for (const d of disposables.reverse()) await d().catch(() => {});
  await worker?.dispose();
  await storing?.dispose();
  await backplane?.close();
  if (outdir) await rm(outdir, { recursive: true, force: true });
});

// One object per test (by name); Miniflare's proxy stands for the binding's stub.
describeOutboxStoreContract('durable object', async () => {
  const ns = await storing.durableObjects('EVENT_OUTBOX');
  return ns.get(ns.idFromName(`contract-${objects++}`)) as unknown as OutboxStore;
});

function bindings(more: Record<string, string> = {}): Record<string, string> {
  return {
    VIGIL_API_KEYS: KEY,
    VIGIL_BACKPLANE_URL: backplane.url,
    VIGIL_EVENTS_SECRET: SECRET,
    ...more,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

function tx(id: string, i: number) {
  return {
    transaction_id: id,
    timestamp: new Date(Date.UTC(2024, 2, 4, 10) + i * 1_000).toISOString(),
    customer_id: `c_${i % 7}`,
    terminal_id: `t_${i % 5}`,
    amount: 10 + (i % 90),
  };
}

async function post(w: WorkerdEdge, path: string, body: unknown): Promise<Response> {
  return fetch(new URL(path, w.url), { method: 'POST', headers: auth, body: JSON.stringify(body) });
}

async function metrics(w: WorkerdEdge): Promise<string> {
  const res = await fetch(new URL('/metrics', w.url), { headers: auth });
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of one series (`name` with its labels, as rendered) in an exposition. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function until(what: string, predicate: () => Promise<boolean>, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`not in ${timeoutMs} ms: ${what}`);
    await sleep(100);
  }
}

/** Distinct event ids the backplane accepted (signed, answered 2xx) that start with `prefix`. */
function acceptedIds(prefix: string): Set<string> {
  return new Set(
    backplane
      .accepted()
      .map((e) => e.event_id)
      .filter((id) => id.includes(prefix)),
  );
}

describe('the EventOutbox', () => {
  it(
    'loses no event while the backplane is down for 30 s, and delivers them all once it is back',
    async () => {
      backplane.answer = () => ({ status: 202 });
      const prefix = 'tx_drill_';
      const expected = new Set<string>();
      const slowest: number[] = [];
      await backplane.down();
      const downAt = Date.now();
      let i = 0;
      let sawDepth = 0;
      // Traffic through the whole outage: a single score, a batch of three, now and then a label.
      while (Date.now() - downAt < DRILL_DOWN_MS) {
        const single = tx(`${prefix}${i}`, i);
        const t0 = performance.now();
        const r1 = await post(worker, '/v1/score', single);
        slowest.push(performance.now() - t0);
        expect(r1.status).toBe(200);
        expected.add(`dec:${single.transaction_id}`);
        const batch = [1, 2, 3].map((k) => tx(`${prefix}${i + k}`, i + k));
        const r2 = await post(worker, '/v1/score/batch', { transactions: batch });
        expect(r2.status).toBe(200);
        for (const t of batch) expected.add(`dec:${t.transaction_id}`);
        if (i % 20 === 0) {
          const label = {
            transaction_id: single.transaction_id,
            label: 'fraud',
            timestamp: single.timestamp,
          };
          expect((await post(worker, '/v1/feedback', label)).status).toBe(202);
          expected.add(`fb:${single.transaction_id}:fraud:${single.timestamp}`);
        }
        i += 4;
        if (i % 40 === 0) {
          sawDepth = Math.max(
            sawDepth,
            value(await metrics(worker), 'vigil_durable_outbox_depth') ?? 0,
          );
        }
        await sleep(600);
      }
      expect(acceptedIds(prefix).size).toBe(0);
      expect(sawDepth).toBeGreaterThan(0);
      // Scoring did not wait for the backplane (the answers go out before delivery starts).
      expect(Math.max(...slowest)).toBeLessThan(2_000);

      await backplane.up();
      const upAt = Date.now();
      await backplane.waitFor(() => acceptedIds(prefix).size >= expected.size, 60_000);
      const healMs = Date.now() - upAt;
      console.log(
        `drill: ${expected.size} events during ${DRILL_DOWN_MS / 1000} s down; all delivered ` +
          `${(healMs / 1000).toFixed(1)} s after the backplane came back`,
      );
      // Exactly the events scored, each at least once; any repeat is a retry of the same id.
      expect([...acceptedIds(prefix)].sort()).toEqual([...expected].sort());
      const requests = backplane.requests.filter((r) =>
        r.events.some((e) => e.event_id.includes(prefix)),
      );
      expect(requests.every((r) => r.signature.ok)).toBe(true);
      for (const r of requests) {
        expect(r.events.length).toBeLessThanOrEqual(500);
        for (const e of r.events) expect(validateEvent(e).ok).toBe(true);
      }
      let text = '';
      await until('the outbox is empty', async () => {
        text = await metrics(worker);
        return value(text, 'vigil_durable_outbox_depth') === 0;
      });
      expect(value(text, 'vigil_durable_outbox_up')).toBe(1);
      expect(value(text, 'vigil_durable_outbox_delivered_total')).toBeGreaterThan(0);
      expect(value(text, 'vigil_durable_outbox_failed_total{reason="network"}')).toBeGreaterThan(0);
      expect(value(text, 'vigil_events_handed_off_total')).toBeGreaterThan(0);
      for (const reason of ['outbox_full', 'outbox_unavailable', 'retries_exhausted', 'rejected']) {
        expect(value(text, `vigil_events_dropped_total{reason="${reason}"}`), reason).toBe(0);
      }
    },
    DRILL_DOWN_MS + 120_000,
  );

  it('refuses events past VIGIL_OUTBOX_CAPACITY, loudly, and delivers what it holds', async () => {
    const prefix = 'tx_cap_';
    backplane.answer = () => ({ status: 503, headers: { 'retry-after': '1' } });
    const before = await metrics(worker);
    const storedBefore = value(before, 'vigil_durable_outbox_stored_total') ?? 0;
    const batch = Array.from({ length: 1_000 }, (_, k) => tx(`${prefix}${k}`, 10_000 + k));
    expect((await post(worker, '/v1/score/batch', { transactions: batch })).status).toBe(200);
    await until(
      'the outbox holds 1,000 events',
      async () => value(await metrics(worker), 'vigil_durable_outbox_depth') === 1_000,
      60_000,
    );
    for (let k = 0; k < 3; k++) {
      const over = tx(`${prefix}over_${k}`, 20_000 + k);
      expect((await post(worker, '/v1/score', over)).status).toBe(200);
    }
    let text = '';
    await until('three refusals are counted', async () => {
      text = await metrics(worker);
      return value(text, 'vigil_events_dropped_total{reason="outbox_full"}') === 3;
    });
    expect(value(text, 'vigil_durable_outbox_refused_total{reason="full"}')).toBe(3);
    expect(value(text, 'vigil_durable_outbox_stored_total')).toBe(storedBefore + 1_000);
    expect(value(text, 'vigil_durable_outbox_capacity')).toBe(1_000);
    expect(value(text, 'vigil_durable_outbox_oldest_age_seconds')).toBeGreaterThan(0);

    backplane.answer = () => ({ status: 202 });
    await backplane.waitFor(() => acceptedIds(prefix).size >= 1_000, 30_000);
    await until(
      'the outbox is empty',
      async () => value(await metrics(worker), 'vigil_durable_outbox_depth') === 0,
    );
    expect([...acceptedIds(prefix)].sort()).toEqual(
      batch.map((t) => `dec:${t.transaction_id}`).sort(),
    );
  }, 120_000);

  it('delivers at once, not after its backoff, when an isolate’s direct delivery works again', async () => {
    const prefix = 'tx_resume_';
    // The backplane asks for 30 s of peace: the outbox's next attempt is ~30 s away.
    backplane.answer = () => ({ status: 503, headers: { 'retry-after': '30' } });
    const failuresBefore =
      value(await metrics(worker), 'vigil_durable_outbox_failed_total{reason="http"}') ?? 0;
    const batch = Array.from({ length: 5 }, (_, k) => tx(`${prefix}${k}`, 40_000 + k));
    expect((await post(worker, '/v1/score/batch', { transactions: batch })).status).toBe(200);
    await until('the outbox has tried and backed off', async () => {
      const text = await metrics(worker);
      return (
        value(text, 'vigil_durable_outbox_depth') === 5 &&
        (value(text, 'vigil_durable_outbox_failed_total{reason="http"}') ?? 0) > failuresBefore
      );
    });
    backplane.answer = () => ({ status: 202 });
    // Past the isolate's 5 s pause after a handoff, its next batch goes direct, and succeeds.
    await sleep(5_500);
    const next = tx(`${prefix}direct`, 40_100);
    const t0 = Date.now();
    expect((await post(worker, '/v1/score', next)).status).toBe(200);
    await backplane.waitFor(() => acceptedIds(prefix).size >= 6, 15_000);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect([...acceptedIds(prefix)].sort()).toEqual(
      [...batch, next].map((t) => `dec:${t.transaction_id}`).sort(),
    );
  }, 60_000);

  it('keeps what it holds across a restart of workerd, and delivers it without a request', async () => {
    const prefix = 'tx_persist_';
    const dir = await mkdtemp(join(tmpdir(), 'vigil-outbox-persist-'));
    disposables.push(() => rm(dir, { recursive: true, force: true }));
    backplane.answer = () => ({ status: 503 });
    let edge = await startWorkerd(bundle, { bindings: bindings(), persistDir: dir });
    disposables.push(() => edge.dispose());
    const batch = Array.from({ length: 20 }, (_, k) => tx(`${prefix}${k}`, 30_000 + k));
    expect((await post(edge, '/v1/score/batch', { transactions: batch })).status).toBe(200);
    await until(
      'the outbox holds 20 events',
      async () => value(await metrics(edge), 'vigil_durable_outbox_depth') === 20,
    );
    await edge.dispose();

    backplane.answer = () => ({ status: 202 });
    edge = await startWorkerd(bundle, { bindings: bindings(), persistDir: dir });
    await backplane.waitFor(() => acceptedIds(prefix).size >= 20, 45_000);
    expect([...acceptedIds(prefix)].sort()).toEqual(
      batch.map((t) => `dec:${t.transaction_id}`).sort(),
    );
  }, 120_000);
});
