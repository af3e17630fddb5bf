/**
 * The LiveHub Durable Object in workerd (the Worker bundled by wrangler, run by Miniflare with
 * SQLite-backed Durable Objects), driven over real WebSockets with the `ws` package: auth,
 * publish, broadcast order, dedupe, resume, gaps, persistence across restarts, and the Node edge
 * reaching a hub-only Worker through its forwarding.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueSession, type HubPublishResponse, type LiveFeedback } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeHmac } from '../../events/test-ingest-server.js';
import { writeTestModelDir } from '../../scoring/test-model-files.js';
import { startNodeEdge, type NodeEdge } from '../node/main.js';
import { bundleWorker, type WorkerBundle } from './host/bundle.js';
import { connectLive, LiveRefused, type LiveClient } from './host/live-client.js';
import { startLiveHub } from './host/start-live-hub.js';
import { startWorkerd, type WorkerdEdge } from './host/start-workerd.js';

const KEY = 'live-hub-test-key-0123456789';
const HUB_SECRET = 'hub-secret-0123456789abcdef';
const SESSION_SECRET = 'session-secret-0123456789abc';
const BINDINGS = {
  VIGIL_API_KEYS: KEY,
  VIGIL_HUB_SECRET: HUB_SECRET,
  VIGIL_SESSION_SECRET: SESSION_SECRET,
};

let outdir: string;
let bundle: WorkerBundle;
/** The main hub: retains 2,000 events. */
let hub: WorkerdEdge;
const clients: LiveClient[] = [];

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'vigil-hub-'));
  bundle = await bundleWorker(outdir);
  hub = await startWorkerd(bundle, { bindings: { ...BINDINGS, VIGIL_HUB_RETAIN: '2000' } });
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await hub?.dispose();
  if (outdir) await rm(outdir, { recursive: true, force: true });
});

const wsUrl = (base: URL | string, query = '') =>
  `${new URL('/v1/live', base).href.replace(/^http/, 'ws')}${query}`;

async function live(base: URL | string, query = '', headers: Record<string, string> = {}) {
  const c = await connectLive(wsUrl(base, query), { authorization: `Bearer ${KEY}`, ...headers });
  clients.push(c);
  return c;
}

async function refused(
  base: URL | string,
  headers: Record<string, string>,
  query = '',
): Promise<LiveRefused> {
  try {
    const c = await connectLive(wsUrl(base, query), headers);
    await c.close();
  } catch (e) {
    if (e instanceof LiveRefused) return e;
    throw e;
  }
  throw new Error('the handshake was accepted');
}

let n = 0;
/** A feed event with a fresh event_id. */
function event(tag = 'e'): LiveFeedback {
  n++;
  return {
    kind: 'feedback',
    event_id: `fb:${tag}_${n}`,
    transaction_id: `tx_${tag}_${n}`,
    label: 'fraud',
    timestamp: '2024-03-04T10:00:00Z',
    source: 'analyst',
  };
}

async function publishRaw(base: URL | string, body: unknown, secret: string | null = HUB_SECRET) {
  return fetch(new URL('/internal/hub/publish', base), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(secret === null ? {} : { authorization: `Bearer ${secret}` }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function publish(base: URL | string, events: unknown[]): Promise<HubPublishResponse> {
  const res = await publishRaw(base, { events });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as HubPublishResponse;
}

const lastSeq = async (base: URL | string) => (await publish(base, [event('probe')])).last_seq;
const ids = (c: LiveClient) => c.items().map((i) => i.event.event_id);

describe('GET /v1/live', () => {
  it('refuses a connection without valid credentials, with problem+json', async () => {
    const none = await refused(hub.url, {});
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ type: 'urn:vigil:problem:unauthorized' });
    expect(
      (await refused(hub.url, { authorization: 'Bearer not-a-valid-key-000000' })).status,
    ).toBe(401);
    const now = Date.now() / 1000;
    const forged = await issueSession(nodeHmac, 'another-secret-0123456789', 'mallory', now);
    expect((await refused(hub.url, { cookie: `vigil_session=${forged}` })).status).toBe(401);
    const expired = await issueSession(nodeHmac, SESSION_SECRET, 'alice', now - 7200, 3600);
    expect((await refused(hub.url, { cookie: `vigil_session=${expired}` })).status).toBe(401);
    // A good cookie from a page of another origin: cross-site WebSocket hijacking.
    const good = await issueSession(nodeHmac, SESSION_SECRET, 'alice', now);
    const cross = await refused(hub.url, {
      cookie: `vigil_session=${good}`,
      origin: 'https://evil.example',
    });
    expect(cross.status).toBe(403);
    // Not a WebSocket at all.
    const plain = await fetch(new URL('/v1/live', hub.url), {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(plain.status).toBe(426);
    expect(plain.headers.get('content-type')).toBe('application/problem+json');
    const bad = await refused(hub.url, { authorization: `Bearer ${KEY}` }, '?after=-1');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ errors: [{ path: '/after' }] });
    // A repeated parameter or __proto__: refused as on every other route, not one value picked.
    for (const [query, path] of [
      ['?after=1&after=5', '/after'],
      ['?__proto__=1', '/__proto__'],
    ]) {
      const r = await refused(hub.url, { authorization: `Bearer ${KEY}` }, query);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({ errors: [{ path }] });
    }
  });

  it('accepts an API key, or a session cookie from the same origin (the browser’s path)', async () => {
    const byKey = await live(hub.url);
    await byKey.until((c) => c.frames.length >= 1);
    expect(byKey.frames[0]).toMatchObject({ type: 'hello' });
    const cookie = await issueSession(nodeHmac, SESSION_SECRET, 'alice', Date.now() / 1000);
    const byCookie = await connectLive(wsUrl(hub.url), {
      cookie: `theme=dark; vigil_session=${cookie}`,
      origin: hub.url.origin,
    });
    clients.push(byCookie);
    await byCookie.until((c) => c.frames[0]?.type === 'hello');
  });

  it('answers ping with pong (the runtime’s auto-response, no wake-up)', async () => {
    const c = await live(hub.url);
    c.socket.send('ping');
    await c.until((x) => x.other.includes('pong'));
  });
});

describe('POST /internal/hub/publish', () => {
  it('requires the hub secret and a valid body', async () => {
    expect((await publishRaw(hub.url, { events: [event()] }, null)).status).toBe(401);
    expect((await publishRaw(hub.url, { events: [event()] }, KEY)).status).toBe(401);
    expect((await publishRaw(hub.url, '{"events":[', HUB_SECRET)).status).toBe(400);
    const bad = await publishRaw(hub.url, {
      events: [event(), { kind: 'nope', event_id: 'x' }, { kind: 'case' }, 7],
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await bad.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((e) => e.path)).toEqual([
      '/events/1/kind',
      '/events/2/event_id',
      '/events/3',
    ]);
    expect((await publishRaw(hub.url, { events: [] })).status).toBe(400);
    const tooMany = Array.from({ length: 5_001 }, () => ({ kind: 'case', event_id: 'x' }));
    expect((await publishRaw(hub.url, { events: tooMany })).status).toBe(400);
    expect((await fetch(new URL('/internal/hub/publish', hub.url))).status).toBe(404);
    expect((await fetch(new URL('/internal/hub/other', hub.url), { method: 'POST' })).status).toBe(
      404,
    );
  });

  it('broadcasts each publish as one events frame, to every client, in sequence order', async () => {
    const base = await lastSeq(hub.url);
    const listeners = await Promise.all(Array.from({ length: 5 }, () => live(hub.url)));
    await Promise.all(listeners.map((c) => c.until((x) => x.frames.length === 1)));
    const published: string[] = [];
    for (let p = 0; p < 10; p++) {
      const batch = [event('b'), event('b'), event('b')];
      published.push(...batch.map((e) => e.event_id));
      const r = await publish(hub.url, batch);
      expect(r).toEqual({ accepted: 3, duplicates: 0, last_seq: base + 3 * (p + 1) });
    }
    for (const c of listeners) {
      await c.until((x) => x.items().length === 30);
      expect(c.frames.map((f) => f?.type)).toEqual(['hello', ...Array<string>(10).fill('events')]);
      expect(c.items().map((i) => i.seq)).toEqual(
        Array.from({ length: 30 }, (_, i) => base + 1 + i),
      );
      expect(ids(c)).toEqual(published);
      // The event as published, kind and all.
      expect(c.items()[0]!.event).toMatchObject({ kind: 'feedback', source: 'analyst' });
    }
  });

  it('drops events it has seen by event_id: no number, no broadcast', async () => {
    const c = await live(hub.url);
    const e1 = event('d');
    const e2 = event('d');
    const first = await publish(hub.url, [e1, e2, e1]);
    expect(first).toMatchObject({ accepted: 2, duplicates: 1 });
    const again = await publish(hub.url, [e2, e1]);
    expect(again).toEqual({ accepted: 0, duplicates: 2, last_seq: first.last_seq });
    const marker = event('d');
    await publish(hub.url, [e1, marker]);
    await c.until((x) => ids(x).includes(marker.event_id));
    expect(ids(c)).toEqual([e1.event_id, e2.event_id, marker.event_id]);
    expect(c.frames.filter((f) => f?.type === 'events')).toHaveLength(2);
  });

  it('is answered 404 where VIGIL_HUB_SECRET is unset', async () => {
    const noSecret = await startWorkerd(bundle, { bindings: { VIGIL_API_KEYS: KEY } });
    try {
      const res = await publishRaw(noSecret.url, { events: [event()] });
      expect(res.status).toBe(404);
    } finally {
      await noSecret.dispose();
    }
  });
});

describe('resuming with ?after=SEQ', () => {
  it('sends hello, then exactly the missed events, in frames of at most 500', async () => {
    const from = await lastSeq(hub.url);
    const missed = Array.from({ length: 1_234 }, () => event('r'));
    const r = await publish(hub.url, missed);
    expect(r.accepted).toBe(1_234);
    const c = await live(hub.url, `?after=${from}`);
    await c.until((x) => x.items().length === 1_234);
    expect(c.frames[0]).toEqual({
      type: 'hello',
      last_seq: from + 1_234,
      oldest_seq: expect.any(Number) as number,
    });
    const sizes = c.frames.slice(1).map((f) => (f?.type === 'events' ? f.items.length : -1));
    expect(sizes).toEqual([500, 500, 234]);
    expect(ids(c)).toEqual(missed.map((e) => e.event_id));
    expect(c.items()[0]!.seq).toBe(from + 1);
    // Then the live feed continues with no hole and no repeat.
    const next = event('r');
    await publish(hub.url, [next]);
    await c.until((x) => ids(x).at(-1) === next.event_id);
    expect(c.items().at(-1)!.seq).toBe(from + 1_235);
    // Up to date: nothing to replay.
    const current = await live(hub.url, `?after=${from + 1_235}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(current.frames.map((f) => f?.type)).toEqual(['hello']);
  });

  it('sends a gap frame first when some missed events were trimmed', async () => {
    const small = await startWorkerd(bundle, { bindings: { ...BINDINGS, VIGIL_HUB_RETAIN: '5' } });
    try {
      const events = Array.from({ length: 12 }, () => event('g'));
      for (const e of events) await publish(small.url, [e]);
      const c = await connectLive(wsUrl(small.url, '?after=3'), { authorization: `Bearer ${KEY}` });
      clients.push(c);
      await c.until((x) => x.items().length === 5);
      expect(c.frames.slice(0, 2)).toEqual([
        { type: 'hello', last_seq: 12, oldest_seq: 8 },
        { type: 'gap', from_seq: 4, to_seq: 7 },
      ]);
      expect(c.items().map((i) => i.seq)).toEqual([8, 9, 10, 11, 12]);
      expect(ids(c)).toEqual(events.slice(7).map((e) => e.event_id));

      const recent = await connectLive(wsUrl(small.url, '?after=10'), {
        authorization: `Bearer ${KEY}`,
      });
      clients.push(recent);
      await recent.until((x) => x.items().length === 2);
      expect(recent.frames.map((f) => f?.type)).toEqual(['hello', 'events']);
      // A SEQ from another life of the hub (beyond last_seq) resumes from 0.
      const stranger = await connectLive(wsUrl(small.url, '?after=999'), {
        authorization: `Bearer ${KEY}`,
      });
      clients.push(stranger);
      await stranger.until((x) => x.items().length === 5);
      expect(stranger.frames[1]).toEqual({ type: 'gap', from_seq: 1, to_seq: 7 });
    } finally {
      await small.dispose();
    }
  });

  it('keeps its sequence and events in storage: a restarted hub carries on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-hub-state-'));
    try {
      const first = await startWorkerd(bundle, { bindings: BINDINGS, persistDir: dir });
      const before = [event('p'), event('p'), event('p')];
      try {
        expect(await publish(first.url, before)).toMatchObject({ last_seq: 3 });
      } finally {
        await first.dispose();
      }
      const second = await startWorkerd(bundle, { bindings: BINDINGS, persistDir: dir });
      try {
        const after = event('p');
        expect(await publish(second.url, [before[0], after])).toEqual({
          accepted: 1,
          duplicates: 1,
          last_seq: 4,
        });
        const c = await connectLive(wsUrl(second.url, '?after=0'), {
          authorization: `Bearer ${KEY}`,
        });
        clients.push(c);
        await c.until((x) => x.items().length === 4);
        expect(ids(c)).toEqual([...before, after].map((e) => e.event_id));
      } finally {
        await second.dispose();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the Node edge with the hub in workerd (start:node)', () => {
  let hubOnly: WorkerdEdge;
  let node: NodeEdge;
  let modelDir: string;

  beforeAll(async () => {
    modelDir = await writeTestModelDir();
    hubOnly = await startLiveHub(bundle, { bindings: BINDINGS });
    node = await startNodeEdge(
      { PORT: '0', ...BINDINGS, VIGIL_HUB_URL: hubOnly.url.origin },
      { modelDir, log: () => {} },
    );
  });
  afterAll(async () => {
    await node?.close();
    await hubOnly?.dispose();
    if (modelDir) await rm(modelDir, { recursive: true, force: true });
  });

  it("forwards /v1/live upgrades; the backplane publishes to the hub's own origin", async () => {
    const byKey = await live(node.server.url, '?after=0');
    const cookie = await issueSession(nodeHmac, SESSION_SECRET, 'bob', Date.now() / 1000);
    const byCookie = await connectLive(wsUrl(node.server.url), {
      cookie: `vigil_session=${cookie}`,
      origin: node.server.url,
    });
    clients.push(byCookie);
    const e = event('n');
    const hub = hubOnly.url.origin;
    expect(await publish(hub, [e])).toMatchObject({ accepted: 1 });
    for (const c of [byKey, byCookie]) await c.until((x) => ids(x).includes(e.event_id));
    byKey.socket.send('ping');
    await byKey.until((x) => x.other.includes('pong'));
    expect((await refused(node.server.url, {})).status).toBe(401);
    expect((await publishRaw(hub, { events: [e] }, 'wrong-secret')).status).toBe(401);
    // The Node edge forwards only the browser's /v1/live: a publish there takes no detour.
    expect((await publishRaw(node.server.url, { events: [e] }, HUB_SECRET)).status).toBe(404);
  });

  it('leaves scoring to Node: the hub-only Worker answers nothing else', async () => {
    expect((await fetch(`${node.server.url}/v1/health`)).status).toBe(200);
    const res = await fetch(new URL('/v1/health', hubOnly.url));
    expect(res.status).toBe(404);
  });
});
