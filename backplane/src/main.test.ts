/**
 * The whole backplane with its embedded defaults — the in-process log and PGlite behind
 * pglite-socket — from signed ingest to Postgres and the (recording) hub, then a clean shutdown and
 * a restart on the same data directory.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config/index.js';
import { startBackplane, type Backplane } from './main.js';
import { decisionEvent, feedbackEvent, signedHeaders } from './testing/fixtures.js';
import { RecordingHub } from './testing/recording-hub.js';

const SECRET = 'events-secret-0123456789';
const HUB_SECRET = 'hub-secret-0123456789abc';
const KEY = 'analyst-key-0123456789abcdef';
let dir: string;
let hub: RecordingHub;
let bp: Backplane;

function config() {
  return loadConfig({
    VIGIL_BACKPLANE_PORT: '0',
    VIGIL_EVENTS_SECRET: SECRET,
    VIGIL_HUB_URL: hub.url,
    VIGIL_HUB_SECRET: HUB_SECRET,
    VIGIL_API_KEYS: KEY,
    VIGIL_DATA_DIR: join(dir, 'data'),
    VIGIL_WEB_DIST: join(dir, 'web'),
  });
}

const start = () =>
  startBackplane(config(), { log: pino({ level: 'silent' }), processMetrics: false });

async function ingest(events: unknown[]): Promise<Response> {
  const body = JSON.stringify({ events });
  return fetch(`${bp.url}/ingest/events`, {
    method: 'POST',
    body,
    headers: await signedHeaders(SECRET, body),
  });
}

async function until(cond: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-bp-'));
  mkdirSync(join(dir, 'web/assets'), { recursive: true });
  writeFileSync(join(dir, 'web/index.html'), '<!doctype html><title>Vigil</title>');
  writeFileSync(join(dir, 'web/assets/app.js'), 'console.log(1)');
  hub = await new RecordingHub(HUB_SECRET).start();
  bp = await start();
}, 60_000);

afterAll(async () => {
  await bp?.close();
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('startBackplane with embedded defaults', () => {
  it('is healthy and serves metrics behind the API key', async () => {
    const health = await fetch(`${bp.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', log: 'memory', database: 'pglite' });
    expect((await fetch(`${bp.url}/metrics`)).status).toBe(401);
    const m = await fetch(`${bp.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(m.status).toBe(200);
    expect(await m.text()).toContain('vigil_backplane_consumer_lag');
  });

  it('takes events from ingest to Postgres and the hub, once each', async () => {
    const decisions = Array.from({ length: 40 }, (_, i) => decisionEvent(i, 'main'));
    const verdict = feedbackEvent(3, 'fraud', '2018-09-01T00:00:00Z', 'main');
    expect((await ingest(decisions)).status).toBe(202);
    // The edge retries a batch it had no answer for: harmless.
    expect((await ingest([...decisions.slice(0, 10), verdict])).status).toBe(202);
    const ids = [...decisions, verdict].map((e) => e.event_id);
    await until(() => ids.every((id) => hub.firstSeen.has(id)));

    const sql = postgres(bp.databaseUrl, { max: 1 });
    try {
      await until(
        async () =>
          (await sql`SELECT label FROM transactions WHERE transaction_id = 'tx_main_3'`)[0]
            ?.label === 'fraud',
      );
      const [n] =
        await sql`SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM transactions WHERE transaction_id LIKE 'tx_main_%'`;
      expect(n).toEqual({ n: 40, d: 40 });
      const [c] =
        await sql`SELECT count(*)::int AS n FROM cases WHERE transaction_id LIKE 'tx_main_%'`;
      expect(c!.n).toBe(16);
    } finally {
      await sql.end();
    }
    const live = hub.received.find((r) => r.event.event_id === decisions[3]!.event_id)!.event;
    expect(live).toMatchObject({ kind: 'decision', decision: 'review', case_id: 'case_tx_main_3' });
    // Offsets are committed after the hub's acknowledgement: the lag drains right after.
    await until(async () => (await bp.lag()) === 0);
  });

  it('serves the dashboard, with index.html for client routes only', async () => {
    const index = await fetch(`${bp.url}/`);
    expect(await index.text()).toContain('<title>Vigil</title>');
    expect(await (await fetch(`${bp.url}/assets/app.js`)).text()).toBe('console.log(1)');
    expect(await (await fetch(`${bp.url}/cases/42`)).text()).toContain('<title>Vigil</title>');
    const ingestGet = await fetch(`${bp.url}/ingest/events`);
    expect(ingestGet.status).toBe(404);
    expect(ingestGet.headers.get('content-type')).toBe('application/problem+json');
  });

  it('shuts down cleanly and starts again on the same data', async () => {
    await bp.close();
    bp = await start();
    const sql = postgres(bp.databaseUrl, { max: 1 });
    try {
      const [n] =
        await sql`SELECT count(*)::int AS n FROM transactions WHERE transaction_id LIKE 'tx_main_%'`;
      expect(n!.n).toBe(40);
    } finally {
      await sql.end();
    }
    expect((await ingest([decisionEvent(100, 'main')])).status).toBe(202);
  });
});
