/**
 * The Worker in workerd with a backplane: a real HTTP server on loopback stands in for it. The
 * Worker's decision and feedback events arrive there signed (one batch per request, delivered
 * under waitUntil after the answer), and the Worker serves the dashboard and /api from its own
 * origin by forwarding them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEvent } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestIngest,
  textWith,
  type TestIngestServer,
} from '../../events/test-ingest-server.js';
import { bundleWorker } from './host/bundle.js';
import { startWorkerd, type WorkerdEdge } from './host/start-workerd.js';

const KEY = 'worker-backplane-key-0123456789';
const SECRET = 'events-secret-0123456789';
let outdir: string;
let backplane: TestIngestServer;
let worker: WorkerdEdge;
const seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'vigil-worker-bp-'));
  const bundle = await bundleWorker(outdir);
  backplane = await startTestIngest(SECRET, (req, res, body) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: body.toString() });
    if (req.url!.startsWith('/api/')) {
      res.writeHead(200, [
        ['content-type', 'application/json'],
        ['set-cookie', 'vigil_session=abc; Path=/; HttpOnly; SameSite=Strict'],
        ['set-cookie', 'other=1; Path=/'],
      ]);
      res.end(JSON.stringify({ stats: { decisions: 3 } }));
    } else {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'self'",
      });
      res.end(`<!doctype html><p>${req.url}</p>`);
    }
  });
  worker = await startWorkerd(bundle, {
    bindings: {
      VIGIL_API_KEYS: KEY,
      VIGIL_BACKPLANE_URL: backplane.url,
      VIGIL_EVENTS_SECRET: SECRET,
    },
  });
});

afterAll(async () => {
  await worker?.dispose();
  await backplane?.close();
  if (outdir) await rm(outdir, { recursive: true, force: true });
});

const at = (path: string) => new URL(path, worker.url);
const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

const post = (path: string, body: unknown) =>
  fetch(at(path), { method: 'POST', headers: auth, body: JSON.stringify(body) });
const metricsWith = (line: string) => textWith(at('/metrics'), auth, line);

describe('the Worker with a backplane', () => {
  it('delivers each request’s events signed to the ingest, after answering', async () => {
    const txs = [1, 2, 3].map((i) => ({
      transaction_id: `tx_wbp_${i}`,
      timestamp: `2024-03-04T10:0${i}:00Z`,
      customer_id: 'c_wbp',
      terminal_id: 't_wbp',
      amount: 10 * i,
    }));
    const single = await post('/v1/score', txs[0]);
    expect(single.status).toBe(200);
    const batch = await post('/v1/score/batch', { transactions: txs.slice(1) });
    expect(batch.status).toBe(200);
    const label = await post('/v1/feedback', {
      transaction_id: 'tx_wbp_2',
      label: 'fraud',
      timestamp: '2024-03-05T00:00:00Z',
    });
    expect(label.status).toBe(202);
    await backplane.waitFor(() => backplane.accepted().length === 4);
    // One signed batch per request.
    const batches = backplane.requests.map((r) => r.events.map((e) => e.event_id));
    expect(batches).toEqual(
      expect.arrayContaining([
        ['dec:tx_wbp_1'],
        ['dec:tx_wbp_2', 'dec:tx_wbp_3'],
        ['fb:tx_wbp_2:fraud:2024-03-05T00:00:00Z'],
      ]),
    );
    expect(backplane.requests.every((r) => r.signature.ok)).toBe(true);
    for (const e of backplane.accepted()) {
      expect(validateEvent(e), JSON.stringify(e)).toMatchObject({ ok: true });
    }
    const decision = backplane.accepted().find((e) => e.event_id === 'dec:tx_wbp_1')!;
    expect(decision).toMatchObject({ runtime: 'workers', transaction: txs[0], degraded: false });
    // The Worker counts a batch once the answer reaches it, just after the server recorded it.
    expect(await metricsWith('vigil_events_sent_total 4')).toContain('vigil_events_sent_total 4');
  });

  it('forwards /api/* and the dashboard, keeping status, cookies and the backplane’s headers', async () => {
    const res = await fetch(at('/api/stats?window=1h'), {
      headers: { cookie: 'vigil_session=v1.x', 'x-requested-with': 'vigil' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ stats: { decisions: 3 } });
    expect(res.headers.getSetCookie()).toEqual([
      'vigil_session=abc; Path=/; HttpOnly; SameSite=Strict',
      'other=1; Path=/',
    ]);
    expect(seen.at(-1)).toMatchObject({
      method: 'GET',
      url: '/api/stats?window=1h',
      headers: { cookie: 'vigil_session=v1.x', 'x-requested-with': 'vigil' },
    });
    const post = await fetch(at('/api/cases/9/assign'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer analyst-key' },
      body: '{"assignee":"alice"}',
    });
    expect(post.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      url: '/api/cases/9/assign',
      body: '{"assignee":"alice"}',
      headers: { authorization: 'Bearer analyst-key', 'content-type': 'application/json' },
    });
    for (const path of ['/', '/index.html', '/assets/index-abc.js']) {
      const page = await fetch(at(path));
      expect(page.status, path).toBe(200);
      expect(page.headers.get('content-security-policy'), path).toBe("default-src 'self'");
      expect(await page.text()).toContain(`<p>${path}</p>`);
    }
    const before = seen.length;
    expect((await fetch(at('/ingest/events'), { method: 'POST', body: '{}' })).status).toBe(404);
    // The backplane's internal endpoints, and anything else not the dashboard's, stay internal.
    for (const path of ['/healthz', '/ingest/events', '/internal/x', '/favicon.svg', '/cases/42']) {
      expect((await fetch(at(path))).status, path).toBe(404);
    }
    expect((await fetch(at('/v1/health'))).status).toBe(200);
    expect((await fetch(at('/openapi.json'))).status).toBe(200);
    // The edge's own answers keep the edge's headers.
    const own = await fetch(at('/v1/health'));
    expect(own.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(seen.length).toBe(before);
  });

  it('answers without waiting for the backplane', async () => {
    backplane.answer = () => 'hang';
    const res = await post('/v1/score', {
      transaction_id: 'tx_wbp_hang',
      timestamp: '2024-03-04T11:00:00Z',
      customer_id: 'c_wbp',
      terminal_id: 't_wbp',
      amount: 5,
    });
    expect(res.status).toBe(200);
    // The backplane never answers: an edge that waited for it would answer only once the attempt
    // timed out, which it counts first. Nothing has timed out: the answer did not wait.
    expect(await metricsWith('vigil_events_failed_total{reason="timeout"}')).toContain(
      'vigil_events_failed_total{reason="timeout"} 0',
    );
    await backplane.waitFor(() => backplane.requests.some((r) => r.status === 'hang'));
  });
});
