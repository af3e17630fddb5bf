// The Node edge with a backplane: a real HTTP server on loopback stands in for it (ingest with
// signature checks, plus a dashboard and an /api). Decision and feedback events arrive signed, and
// the edge serves the dashboard and /api from the same origin by forwarding them.
import { mkdtemp, rm } from 'node:fs/promises';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { validateEvent } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestIngest,
  textWith,
  type TestIngestServer,
} from '../../events/test-ingest-server.js';
import { writeTestModelDir } from '../../scoring/test-model-files.js';
import { LmdbOutboxStore } from './lmdb-outbox-store.js';
import { startNodeEdge, type NodeEdge } from './main.js';

const KEY = 'node-backplane-key-0123456789';
const SECRET = 'events-secret-0123456789';
let modelDir: string;
/** The edge's VIGIL_OUTBOX_DIR: its own, not the working directory's .vigil/. */
let outboxDir: string;
let backplane: TestIngestServer;
let edge: NodeEdge;
/** The edge's environment: this backplane and key, `over` on top. */
const edgeEnv = (over: Record<string, string>) => ({
  PORT: '0',
  VIGIL_API_KEYS: KEY,
  VIGIL_BACKPLANE_URL: backplane.url,
  VIGIL_EVENTS_SECRET: SECRET,
  ...over,
});
const seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  modelDir = await writeTestModelDir();
  outboxDir = await mkdtemp(join(tmpdir(), 'vigil-edge-outbox-'));
  backplane = await startTestIngest(SECRET, (req, res, body) => {
    seen.push({
      method: req.method!,
      url: req.url!,
      headers: req.headers,
      body: body.toString(),
    });
    const url = req.url!;
    if (url === '/api/login-redirect') {
      res.writeHead(302, { location: `${backplane.url}/signin?next=%2F` }).end();
    } else if (url.startsWith('/api/')) {
      res.writeHead(201, [
        ['content-type', 'application/json'],
        ['set-cookie', 'vigil_session=abc; Path=/; HttpOnly'],
        ['set-cookie', 'other=1; Path=/'],
        ['x-backplane', 'yes'],
      ]);
      res.end(JSON.stringify({ ok: true, method: req.method, url }));
    } else if (url === '/assets/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', 'content-encoding': 'gzip' });
      res.end(gzipSync('console.log("dashboard");'));
    } else {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'self'",
      });
      res.end(`<!doctype html><title>Vigil</title><p>${url}</p>`);
    }
  });
  edge = await startNodeEdge(edgeEnv({ VIGIL_OUTBOX_DIR: outboxDir }), { modelDir, log: () => {} });
});

afterAll(async () => {
  await edge?.close();
  await backplane?.close();
  await rm(modelDir, { recursive: true, force: true });
  await rm(outboxDir, { recursive: true, force: true });
});

const at = (path: string) => `${edge.server.url}${path}`;
const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

const post = (path: string, body: unknown, base = edge.server.url) =>
  fetch(`${base}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
const metricsWith = (line: string) => textWith(at('/metrics'), auth, line);

describe('the Node edge with a backplane', () => {
  it('delivers signed decision and feedback events that pass core’s schemas', async () => {
    const tx = {
      transaction_id: 'tx_node_bp_1',
      timestamp: '2024-03-04T10:00:00Z',
      customer_id: 'c_bp',
      terminal_id: 't_bp',
      amount: 42.5,
    };
    const scored = await post('/v1/score', tx);
    expect(scored.status).toBe(200);
    const fb = await post('/v1/feedback', {
      transaction_id: tx.transaction_id,
      label: 'legitimate',
      timestamp: '2024-03-05T00:00:00Z',
    });
    expect(fb.status).toBe(202);
    await backplane.waitFor(() => backplane.accepted().length === 2);
    expect(backplane.requests.every((r) => r.signature.ok)).toBe(true);
    const [decision, feedback] = backplane.accepted();
    expect(validateEvent(decision)).toMatchObject({ ok: true });
    expect(validateEvent(feedback)).toMatchObject({ ok: true });
    expect(decision).toMatchObject({
      event_id: 'dec:tx_node_bp_1',
      type: 'decision',
      runtime: 'node',
      transaction: tx,
    });
    expect(feedback).toMatchObject({
      event_id: 'fb:tx_node_bp_1:legitimate:2024-03-05T00:00:00Z',
      source: 'api',
    });
    // The edge counts a batch once the answer reaches it, just after the server recorded it.
    const metrics = await metricsWith('vigil_events_sent_total 2');
    expect(metrics).toContain('vigil_events_sent_total 2');
    expect(metrics).toContain('vigil_event_outbox_depth 0');
    expect(metrics).toContain('vigil_event_outbox_capacity 0'); // on disk: bounded in bytes
  });

  it('forwards /api/* with method, query, headers and body, and returns status and cookies', async () => {
    const body = JSON.stringify({ resolution: 'fraud' });
    const res = await fetch(at('/api/cases/7/resolve?x=1'), {
      method: 'POST',
      headers: {
        cookie: 'vigil_session=v1.token',
        authorization: 'Bearer analyst',
        'content-type': 'application/json',
        'x-requested-with': 'vigil',
      },
      body,
    });
    expect(res.status).toBe(201);
    expect(res.headers.getSetCookie()).toEqual([
      'vigil_session=abc; Path=/; HttpOnly',
      'other=1; Path=/',
    ]);
    expect(res.headers.get('x-backplane')).toBe('yes');
    // The backplane's answer keeps its own headers: none of the edge's security headers.
    expect(res.headers.get('x-frame-options')).toBeNull();
    expect(await res.json()).toEqual({
      ok: true,
      method: 'POST',
      url: '/api/cases/7/resolve?x=1',
    });
    const got = seen.at(-1)!;
    expect(got).toMatchObject({ method: 'POST', url: '/api/cases/7/resolve?x=1', body });
    expect(got.headers).toMatchObject({
      cookie: 'vigil_session=v1.token',
      authorization: 'Bearer analyst',
      'content-type': 'application/json',
      'x-requested-with': 'vigil',
      'x-forwarded-host': new URL(edge.server.url).host,
      'x-forwarded-proto': 'http',
    });
  });

  it('forwards a request that carries Expect: 100-continue (curl sends it with large bodies)', async () => {
    const body = JSON.stringify({ comment: 'x'.repeat(2_000) });
    // fetch refuses to send Expect itself: node:http does, and waits for the 100 before the body.
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(at('/api/cases/8/comments'), {
        method: 'POST',
        headers: { ...auth, expect: '100-continue', 'content-length': Buffer.byteLength(body) },
      });
      req.on('continue', () => req.end(body));
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
    });
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.text)).toMatchObject({ method: 'POST', url: '/api/cases/8/comments' });
    expect(seen.at(-1)).toMatchObject({ url: '/api/cases/8/comments', body });
    expect(seen.at(-1)!.headers).not.toHaveProperty('expect');
  });

  it('serves the dashboard’s pages and assets through the edge, with the backplane’s CSP', async () => {
    for (const path of ['/', '/index.html']) {
      const res = await fetch(at(path));
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe("default-src 'self'");
      expect(await res.text()).toContain(`<p>${path}</p>`);
    }
    const js = await fetch(at('/assets/app.js'));
    expect(await js.text()).toBe('console.log("dashboard");');
    const head = await fetch(at('/'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    const redirect = await fetch(at('/api/login-redirect'), { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/signin?next=%2F');
  });

  it('keeps its own paths, and forwards nothing but /api and the dashboard’s files', async () => {
    const before = seen.length;
    expect((await fetch(at('/v1/health'))).status).toBe(200);
    expect((await fetch(at('/v1/nothing'), { headers: auth })).status).toBe(404);
    expect((await fetch(at('/metrics'))).status).toBe(401);
    expect((await fetch(at('/docs'))).headers.get('content-type')).toMatch(/text\/html/);
    for (const path of ['/ingest/events', '/internal/hub/publish']) {
      expect((await fetch(at(path))).status, path).toBe(404);
      const post = await fetch(at(path), { method: 'POST', headers: auth, body: '{}' });
      expect(post.status, path).toBe(404);
    }
    expect((await fetch(at('/'), { method: 'POST' })).status).toBe(404);
    // The backplane's internal endpoints, and paths the dashboard has no file at (issue 13).
    for (const path of ['/healthz', '/healthz/', '/%68ealthz', '/cases/42', '/favicon.svg']) {
      const res = await fetch(at(path));
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/problem\+json/);
    }
    expect(seen.length).toBe(before);
    expect(backplane.requests.filter((r) => r.path !== '/ingest/events')).toEqual([]);
  });

  it('answers 503 problem+json when the backplane does not answer', async () => {
    const down = await startNodeEdge(
      edgeEnv({ VIGIL_BACKPLANE_URL: 'http://127.0.0.1:9', VIGIL_OUTBOX_DIR: 'off' }),
      { modelDir, log: () => {} },
    );
    try {
      expect(down.eventsDescription).toMatch(/in memory only: VIGIL_OUTBOX_DIR=off/);
      const res = await fetch(`${down.server.url}/api/stats`);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('retry-after')).toBe('1');
    } finally {
      await down.close();
    }
  });

  it('keeps what it could not deliver in VIGIL_OUTBOX_DIR, and delivers it after a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-edge-outbox-'));
    const env = edgeEnv({ VIGIL_OUTBOX_DIR: dir });
    const answer = backplane.answer;
    backplane.answer = () => ({ status: 503 });
    const id = 'dec:tx_node_bp_restart';
    try {
      const first = await startNodeEdge(env, { modelDir, log: () => {} });
      expect(first.eventsDescription).toContain(dir);
      await expect(startNodeEdge(env, { modelDir, log: () => {} })).rejects.toThrow(
        /^VIGIL_OUTBOX_DIR=.* is in use by process/,
      );
      const res = await post(
        '/v1/score',
        {
          transaction_id: 'tx_node_bp_restart',
          timestamp: '2024-03-04T12:00:00Z',
          customer_id: 'c_bp',
          terminal_id: 't_bp',
          amount: 7,
        },
        first.server.url,
      );
      expect(res.status).toBe(200);
      await backplane.waitFor(() => backplane.requests.some((r) => r.events[0]?.event_id === id));
      await first.close(); // its 5 s of grace run out: the backplane refuses throughout
      expect(await heldIds(dir)).toContain(id);
      expect(backplane.accepted().some((e) => e.event_id === id)).toBe(false);

      backplane.answer = () => ({ status: 202 });
      const second = await startNodeEdge(env, { modelDir, log: () => {} });
      try {
        await backplane.waitFor(() => backplane.accepted().some((e) => e.event_id === id));
      } finally {
        await second.close();
      }
      expect(await heldIds(dir)).toEqual([]);
    } finally {
      backplane.answer = answer;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says in /metrics when it cannot get the rules in force, and still scores', async () => {
    // This stand-in backplane answers the rules sync with a page of HTML: not a ruleset.
    const metrics = await metricsWith('vigil_rules_sync_failures_total');
    expect(metrics).toContain('vigil_rules_stale 1');
    expect(metrics).toContain('vigil_ruleset_version 0');
    expect(metrics).toMatch(/vigil_rules_sync_failures_total [1-9]/);
    expect(seen.some((r) => r.url === '/internal/rules/sync' && r.method === 'POST')).toBe(true);
  });

  it('answers without waiting for the backplane', async () => {
    backplane.answer = () => 'hang';
    const res = await post('/v1/score', {
      transaction_id: 'tx_node_bp_hang',
      timestamp: '2024-03-04T11:00:00Z',
      customer_id: 'c_bp',
      terminal_id: 't_bp',
      amount: 5,
    });
    expect(res.status).toBe(200);
    // The backplane never answers: an edge that waited for it would answer only once the attempt
    // timed out, which it counts first. Nothing has timed out: the answer did not wait.
    expect(await metricsWith('vigil_events_failed_total{reason="timeout"}')).toContain(
      'vigil_events_failed_total{reason="timeout"} 0',
    );
    await backplane.waitFor(() => backplane.requests.some((r) => r.status === 'hang'));
    expect(edge.outbox?.depth).toBe(1);
  });
});

/** The event ids the outbox in `dir` holds (the edge that used it closed). */
async function heldIds(dir: string): Promise<string[]> {
  const store = await LmdbOutboxStore.open(dir, 1 << 30);
  try {
    return (await store.oldest(1_000)).map(
      (r) => (JSON.parse(r.json) as { event_id: string }).event_id,
    );
  } finally {
    await store.close();
  }
}
