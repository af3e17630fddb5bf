/**
 * Drill: an analyst's verdict while the edge is down, then a backplane restart, on a real
 * PostgreSQL and Kafka. The verdict is kept in Postgres as pending; the next backplane retries it,
 * through an edge that first answers 404 (restarted without its transactions) and then takes it,
 * and the case ends `applied` — nothing waits for a human.
 */
import { createServer, type Server } from 'node:http';
import type { Case } from '@vigil/core';
import { afterAll, expect, it } from 'vitest';
import type { ResolveCaseResponse } from '../src/api/api-types.js';
import { insertTransaction } from '../src/api/test-support.js';
import { Drill, freePort, until, type Backplane } from './support/drill.js';

const KEY = 'drill-api-key-0123456789';
const RETRY = { firstRetryMs: 200, maxRetryMs: 400, sweepMs: 100 };

let drill: Drill | undefined;
let backplane: Backplane | undefined;
let edge: Server | undefined;

afterAll(async () => {
  await backplane?.close();
  await new Promise((r) => (edge ? edge.close(r) : r(undefined)));
  await drill?.close();
});

/** An edge on `port` whose POST /v1/feedback answers 404 `notFirst` times, then 202. */
function startEdge(port: number, notFirst: number, bodies: unknown[]): Promise<Server> {
  let seen = 0;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      bodies.push({
        path: req.url,
        auth: req.headers.authorization,
        body: JSON.parse(text) as unknown,
      });
      const known = seen++ >= notFirst;
      res.writeHead(known ? 202 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(known ? { accepted: 1 } : { status: 404, detail: 'unknown' }));
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

async function api<T>(b: Backplane, method: string, path: string, body?: unknown) {
  const res = await fetch(`${b.url}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

it('keeps a verdict the edge could not take and delivers it after a backplane restart', async () => {
  drill = await Drill.create('verdicts');
  const port = await freePort();
  const edgePort = await freePort();
  const env = {
    VIGIL_BACKPLANE_ROLES: 'ingest,consumer,api',
    VIGIL_EDGE_URL: `http://127.0.0.1:${edgePort}`,
    VIGIL_API_KEYS: KEY,
  };
  backplane = await drill.startBackplane(port, env, { verdictRetry: RETRY });
  await insertTransaction(drill.sql, { transaction_id: 'tx_vd_1', decision: 'decline' });

  // The edge is down: the case resolves, the verdict is kept and said to be pending.
  const r = await api<ResolveCaseResponse>(backplane, 'POST', '/cases/case_tx_vd_1/resolve', {
    resolution: 'fraud',
  });
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ status: 'resolved', edge_forwarded: false });
  expect(r.body.verdict_delivery).toMatchObject({ state: 'pending', last_status: null });
  const timestamp = (await drill.sql`SELECT ts FROM verdict_deliveries`)[0]!.ts as Date;
  await backplane.close();
  backplane = undefined;

  // A new backplane, an edge back without the transaction at first (it answers 404 twice).
  const bodies: { path: string; auth: string; body: unknown }[] = [];
  edge = await startEdge(edgePort, 2, bodies);
  backplane = await drill.startBackplane(port, env, { verdictRetry: RETRY });
  const b = backplane;
  let c: Case | undefined;
  await until('the verdict applied at the edge', async () => {
    c = (await api<Case>(b, 'GET', '/cases/case_tx_vd_1')).body;
    return c.verdict_delivery?.state === 'applied';
  });
  expect(c!.verdict_delivery).toMatchObject({ state: 'applied', last_status: 202, detail: null });
  expect(c!.verdict_delivery!.attempts).toBeGreaterThanOrEqual(4);
  expect(bodies.length).toBeGreaterThanOrEqual(3);
  expect(bodies.at(-1)).toEqual({
    path: '/v1/feedback',
    auth: `Bearer ${KEY}`,
    body: { transaction_id: 'tx_vd_1', label: 'fraud', timestamp: timestamp.toISOString() },
  });
  const metrics = await (
    await fetch(`${b.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } })
  ).text();
  expect(metrics).toMatch(/vigil_backplane_verdict_delivery_tries_total\{state="pending"\} [2-9]/);
  expect(metrics).toMatch(/vigil_backplane_verdict_delivery_tries_total\{state="applied"\} 1/);
  await until('the backlog gauge at zero', async () => {
    const m = await (
      await fetch(`${b.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } })
    ).text();
    return /vigil_backplane_verdict_deliveries\{state="pending"\} 0/.test(m);
  });
});
