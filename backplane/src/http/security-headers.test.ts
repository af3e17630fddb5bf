import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackplaneMetrics } from './backplane-metrics.js';
import { createBackplaneApp } from './create-app.js';

let dist: string;

beforeAll(() => {
  dist = mkdtempSync(join(tmpdir(), 'vigil-web-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(dist, 'assets', 'index-x.js'), 'console.log(1)');
});
afterAll(() => rmSync(dist, { recursive: true, force: true }));

function app() {
  const api = new Hono().get('/session', (c) => c.json({ authenticated: false }));
  return createBackplaneApp({
    log: pino({ level: 'silent' }),
    metrics: new BackplaneMetrics({ processMetrics: false }),
    ingest: null,
    api,
    health: () => ({ ready: true }),
    metricsKeys: ['metrics-key-0123456789'],
    webDist: dist,
  });
}

const csp = (res: Response) =>
  Object.fromEntries(
    (res.headers.get('content-security-policy') ?? '').split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')];
    }),
  );

/** What every answer carries, whatever its policy. */
function expectCommonHeaders(res: Response) {
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(csp(res)['frame-ancestors']).toBe("'none'");
}

describe("the backplane's security headers", () => {
  it.each(['/', '/?token=abc', '/cases/42', '/assets/index-x.js'])(
    'give the dashboard (%s) a CSP that lets it run from its own origin only',
    async (path) => {
      const res = await app().request(path, { headers: { host: '127.0.0.1:8788' } });
      expect(res.status).toBe(200);
      expectCommonHeaders(res);
      expect(csp(res)).toEqual({
        'default-src': "'none'",
        'script-src': "'self'",
        'style-src': "'self'",
        'img-src': "'self' data:",
        'font-src': "'self'",
        'connect-src': "'self' ws://127.0.0.1:8788 wss://127.0.0.1:8788",
        'manifest-src': "'self'",
        'base-uri': "'none'",
        'form-action': "'self'",
        'frame-ancestors': "'none'",
      });
    },
  );

  it("name the WebSocket origin the browser asked for: the edge's public host, when forwarded", async () => {
    const res = await app().request('/', {
      headers: { host: '127.0.0.1:8788', 'x-forwarded-host': 'vigil.example:8443' },
    });
    expect(csp(res)['connect-src']).toBe("'self' ws://vigil.example:8443 wss://vigil.example:8443");
  });

  it('never write a host that could break the policy into it', async () => {
    const res = await app().request('/', {
      headers: { host: '127.0.0.1:8788', 'x-forwarded-host': "evil; script-src 'unsafe-inline'" },
    });
    expect(csp(res)['connect-src']).toBe("'self' 'self'");
    expect(csp(res)['script-src']).toBe("'self'");
  });

  it.each([
    ['/api/session', 200],
    ['/api/nothing', 404],
    ['/healthz', 200],
    ['/metrics', 401],
    ['/ingest/events', 404],
  ])("give the backplane's own routes an API's policy (%s, %i)", async (path, status) => {
    const res = await app().request(path);
    expect(res.status).toBe(status);
    expectCommonHeaders(res);
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
  });
});
