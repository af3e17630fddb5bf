/**
 * The whole system as `npm start` and `npm run start:node` run it (scripts/system.ts), over real
 * HTTP and WebSocket at its one origin: a decision scored at the edge is readable from the
 * analysts' API within 2 s and arrives on the live feed; the one-time sign-in token works once;
 * an analyst's verdict reaches Postgres and the edge's features.
 */
import { describe, expect, it } from 'vitest';
import { connectLive, type LiveClient } from '../edge/src/runtime/workers/host/live-client.js';
import { poll, postJson, useSystem } from './system-test-support.js';

const tx = (id: string, terminal: string, amount: number, timestamp = '2018-08-08T10:12:03Z') => ({
  transaction_id: id,
  timestamp,
  customer_id: `c_${id}`,
  terminal_id: terminal,
  amount,
});

/** Resolves once `live` has seen the decision on transaction `id`. */
const sawDecision = (live: LiveClient, id: string) =>
  live.until(
    (c) => c.items().some((i) => i.event.kind === 'decision' && i.event.transaction_id === id),
    5_000,
  );

describe.each(['workerd', 'node'] as const)('the system with the edge on %s', (edge) => {
  const sut = useSystem(edge);

  const score = async (body: object) => {
    const r = await sut.post('/v1/score', body);
    expect(r.status).toBe(200);
    return (await r.json()) as { score: number; decision: string };
  };

  it('makes a scored decision readable at /api/transactions/{id} within 2 s, and live', async () => {
    const live = await connectLive(`${sut.origin.replace('http', 'ws')}/v1/live`, sut.auth);
    try {
      const answer = await score(tx('tx_sys_1', 't_sys_1', 57.16));
      const t0 = Date.now();
      const detail = await poll(async () => {
        const r = await fetch(`${sut.origin}/api/transactions/tx_sys_1`, {
          headers: sut.auth,
        });
        if (r.status === 404) return null;
        expect(r.status).toBe(200);
        return (await r.json()) as { score: number; decision: string; features: object };
      }, 2_000);
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect(detail.score).toBeCloseTo(answer.score, 9);
      expect(detail.decision).toBe(answer.decision);
      expect(Object.keys(detail.features).length).toBeGreaterThan(10);
      await sawDecision(live, 'tx_sys_1');
    } finally {
      await live.close();
    }
  });

  it('refuses the live feed and the API without credentials', async () => {
    expect((await fetch(`${sut.origin}/api/transactions`)).status).toBe(401);
    await expect(connectLive(`${sut.origin.replace('http', 'ws')}/v1/live`)).rejects.toThrow(/401/);
  });

  it("forwards only /api and the dashboard's files: the backplane's internal endpoints stay internal", async () => {
    for (const path of ['/healthz', '/ingest/events', '/internal/hub/publish', '/cases/1']) {
      const res = await fetch(`${sut.origin}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/problem\+json/);
    }
    const ingest = await fetch(`${sut.origin}/ingest/events`, { method: 'POST', body: '{}' });
    expect(ingest.status).toBe(404);
    // The backplane publishes to the LiveHub where it runs: the Worker at the origin, or the
    // hub's own workerd beside the Node edge — which forwards only the browser's /v1/live.
    if (edge === 'node') {
      expect(sut.system.hubUrl).not.toBe(sut.origin);
      const publish = await postJson(sut.origin, '/internal/hub/publish', {});
      expect(publish.status).toBe(404);
      expect(publish.headers.get('content-type')).toMatch(/problem\+json/);
    } else {
      expect(sut.system.hubUrl).toBe(sut.origin);
    }
    // /metrics at the origin is the edge's own, behind its key.
    expect((await fetch(`${sut.origin}/metrics`)).status).toBe(401);
    // The backplane answers /healthz on its loopback address, where operators probe it.
    expect((await fetch(`${sut.system.backplane.url}/healthz`)).status).toBe(200);
    // Every file the dashboard's page loads is reachable through the origin.
    const html = await (await fetch(`${sut.origin}/`)).text();
    const files = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect((await fetch(`${sut.origin}${f}`)).status, f).toBe(200);
  });

  it('serves the dashboard and signs in once with the printed token', async () => {
    const page = await fetch(`${sut.origin}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root"');
    // The backplane's security headers, as the edge forwards them (backplane/src/http/security-headers.ts).
    const host = new URL(sut.origin).host;
    expect(page.headers.get('content-security-policy')).toContain(
      `connect-src 'self' ws://${host} wss://${host}`,
    );
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const token = new URL(sut.system.signInUrl).searchParams.get('token');
    const first = await postJson(sut.origin, '/api/session', { token });
    expect(first.status).toBe(200);
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/vigil_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    const session = cookie.split(';')[0]!;
    const me = await fetch(`${sut.origin}/api/session`, { headers: { cookie: session } });
    expect(((await me.json()) as { authenticated: boolean }).authenticated).toBe(true);
    // The browser's path to the live feed: the session cookie.
    const live = await connectLive(`${sut.origin.replace('http', 'ws')}/v1/live`, {
      cookie: session,
    });
    await live.close();
    const again = await postJson(sut.origin, '/api/session', { token });
    expect(again.status).toBe(401);
  });

  it("turns an analyst's fraud verdict into feedback in Postgres and terminal risk at the edge", async () => {
    // A decline opens a case; resolving it as fraud labels the transaction.
    const terminal = `t_risk_${edge}`;
    await score(tx('tx_sys_fraud', terminal, 900, '2018-08-08T09:00:00Z'));
    const caseId = 'case_tx_sys_fraud';
    const opened = await poll(async () => {
      const r = await fetch(`${sut.origin}/api/cases/${caseId}`, { headers: sut.auth });
      return r.status === 200 ? ((await r.json()) as { version: number }) : null;
    }, 5_000);
    const resolved = await sut.post(`/api/cases/${caseId}/resolve`, {
      resolution: 'fraud',
      version: opened.version,
    });
    expect(resolved.status).toBe(200);
    const body = (await resolved.json()) as { edge_forwarded: boolean };
    expect(body.edge_forwarded).toBe(true);
    const feedback = await poll(async () => {
      const r = await fetch(`${sut.origin}/api/transactions/tx_sys_fraud`, {
        headers: sut.auth,
      });
      const d = (await r.json()) as {
        feedback: { label: string; source: string }[];
        label: string;
      };
      // The label follows the feedback row in its own statement: wait for both.
      return d.feedback.length > 0 && d.label !== null ? d : null;
    }, 5_000);
    expect(feedback.label).toBe('fraud');
    expect(feedback.feedback[0]).toMatchObject({ label: 'fraud', source: 'analyst' });
    // The terminal's risk counts the fraud on the transaction's own day; its features see it
    // after the label delay (7 days), as the handbook's do.
    await score(tx('tx_sys_after', terminal, 40, '2018-08-16T11:00:00Z'));
    const later = await poll(async () => {
      const r = await fetch(`${sut.origin}/api/transactions/tx_sys_after`, {
        headers: sut.auth,
      });
      return r.status === 200 ? ((await r.json()) as { features: Record<string, number> }) : null;
    }, 5_000);
    expect(later.features.terminal_risk_7d_delay7).toBeGreaterThan(0);
  });
});

describe.each(['workerd', 'node'] as const)(
  'the system on VIGIL_HOST with the edge on %s',
  (edge) => {
    // 127.0.0.2: a loopback address other than the default, so "it listens there, and only there"
    // can be seen from this machine.
    const sut = useSystem(edge, { VIGIL_HOST: '127.0.0.2' });

    it('serves the public origin on VIGIL_HOST only, and keeps the backplane on 127.0.0.1', async () => {
      const { system, auth } = sut;
      const { port } = new URL(system.origin);
      expect(system.origin).toBe(`http://127.0.0.2:${port}`);
      expect(new URL(system.backplane.url).hostname).toBe('127.0.0.1');
      await expect(fetch(`http://127.0.0.1:${port}/v1/health`)).rejects.toThrow();
      expect(system.description.join('\n')).toContain('127.0.0.2 port');
      const live = await connectLive(`ws://127.0.0.2:${port}/v1/live`, auth);
      try {
        const scored = await sut.post('/v1/score', tx('tx_host_1', 't_host_1', 12.5));
        expect(scored.status).toBe(200);
        // The backplane publishes to the LiveHub: the decision comes back live at the origin.
        await sawDecision(live, 'tx_host_1');
      } finally {
        await live.close();
      }
      const page = await fetch(`${system.origin}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain(`ws://127.0.0.2:${port}`);
    });
  },
);
