import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_KEY,
  apiHarness,
  bearer,
  insertTransaction,
  SIGN_IN_TOKEN,
  startTestDb,
  type TestDb,
} from './test-support.js';

let db: TestDb;
beforeAll(async () => {
  db = await startTestDb();
  await insertTransaction(db.sql, { transaction_id: 'tx_auth_1', decision: 'review' });
}, 60_000);
afterAll(() => db.stop());

const json = { 'content-type': 'application/json' };

function harness() {
  let now = new Date('2026-01-01T00:00:00Z');
  const h = apiHarness(db.sql, { now: () => now });
  return { ...h, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

async function signIn(h: ReturnType<typeof harness>, token = SIGN_IN_TOKEN, name?: string) {
  const res = await h.root.request('/api/session', {
    method: 'POST',
    headers: json,
    body: JSON.stringify(name ? { token, name } : { token }),
  });
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { res, setCookie, cookie: setCookie.split(';', 1)[0]! };
}

describe('sessions', () => {
  it('trades the one-time token for an HttpOnly, SameSite=Strict cookie, once', async () => {
    const h = harness();
    const first = await signIn(h);
    expect(first.res.status).toBe(200);
    expect(await first.res.json()).toEqual({
      authenticated: true,
      subject: 'analyst',
      via: 'session',
    });
    expect(first.setCookie).toMatch(/^vigil_session=v1\.\d+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+;/);
    expect(first.setCookie).toContain('HttpOnly');
    expect(first.setCookie).toContain('SameSite=Strict');
    expect(first.setCookie).toContain('Path=/');
    expect(first.setCookie).not.toContain('Secure');

    const again = await signIn(h);
    expect(again.res.status).toBe(401);
    expect(again.res.headers.get('content-type')).toBe('application/problem+json');
    expect(again.setCookie).toBe('');
  });

  it('accepts an API key as the token, names the subject, and marks the cookie Secure over https', async () => {
    const h = harness();
    const res = await h.root.request('https://vigil.example/api/session', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ token: API_KEY, name: 'Ada Lovelace' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { subject: string }).subject).toBe('Ada Lovelace');
    expect(res.headers.get('set-cookie')).toContain('Secure');
    // The key does not spend the one-time token.
    expect((await signIn(h)).res.status).toBe(200);
  });

  it('refuses a bad body with a 400 naming the field', async () => {
    const h = harness();
    const res = await h.root.request('/api/session', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ token: API_KEY, name: 'x'.repeat(65), extra: 1 }),
    });
    expect(res.status).toBe(400);
    const p = (await res.json()) as { errors: { path: string }[] };
    expect(p.errors.map((e) => e.path).sort()).toEqual(['/extra', '/name']);
    const form = await h.root.request('/api/session', { method: 'POST', body: 'token=x' });
    expect(form.status).toBe(415);
  });

  it('GET /api/session says who is calling, and DELETE clears the cookie', async () => {
    const h = harness();
    const anon = await h.root.request('/api/session');
    expect(await anon.json()).toEqual({ authenticated: false, subject: null, via: null });
    const byKey = await h.root.request('/api/session', { headers: bearer() });
    expect(await byKey.json()).toEqual({ authenticated: true, subject: 'api', via: 'bearer' });
    const { cookie } = await signIn(h, API_KEY, 'Grace');
    const mine = await h.root.request('/api/session', { headers: { cookie } });
    expect(await mine.json()).toEqual({ authenticated: true, subject: 'Grace', via: 'session' });
    const out = await h.root.request('/api/session', { method: 'DELETE', headers: { cookie } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^vigil_session=; Path=\/; Max-Age=0; HttpOnly/);
  });
});

describe('authentication of /api/*', () => {
  it('401 problem+json without credentials, with a bad key, a tampered or an expired session', async () => {
    const h = harness();
    const none = await h.root.request('/api/transactions');
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toBe('application/problem+json');
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="vigil"');
    const body = (await none.json()) as { type: string; status: number };
    expect(body).toMatchObject({ type: 'urn:vigil:problem:unauthorized', status: 401 });

    const badKey = await h.root.request('/api/transactions', {
      headers: { authorization: 'Bearer not-the-key-at-all' },
    });
    expect(badKey.status).toBe(401);
    expect(badKey.headers.get('www-authenticate')).toContain('invalid_token');

    const { cookie } = await signIn(h, API_KEY);
    expect((await h.root.request('/api/transactions', { headers: { cookie } })).status).toBe(200);
    const tampered = cookie.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));
    expect(
      (await h.root.request('/api/transactions', { headers: { cookie: tampered } })).status,
    ).toBe(401);
    h.advance(12 * 3600 * 1000 + 1000);
    expect((await h.root.request('/api/transactions', { headers: { cookie } })).status).toBe(401);
  });

  it('requires X-Requested-With: vigil on cookie-authenticated writes, not on bearer ones', async () => {
    const h = harness();
    const { cookie } = await signIn(h, API_KEY);
    const assign = (headers: Record<string, string>) =>
      h.root.request('/api/cases/case_tx_auth_1/assign', {
        method: 'POST',
        headers: { ...json, ...headers },
        body: JSON.stringify({ assignee: 'Ada' }),
      });
    const forged = await assign({ cookie });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { type: string }).type).toBe('urn:vigil:problem:csrf');
    expect((await assign({ cookie, 'x-requested-with': 'vigil' })).status).toBe(200);
    expect((await assign({ authorization: `Bearer ${API_KEY}` })).status).toBe(200);
    // Reads need no header.
    expect((await h.root.request('/api/cases', { headers: { cookie } })).status).toBe(200);
  });

  it('answers unknown routes with a 404 problem once authenticated', async () => {
    const h = harness();
    const res = await h.root.request('/api/nope', { headers: bearer() });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('PUT /api/session renames a session (the token link signs in unnamed), with the CSRF header only', async () => {
    const h = harness();
    const { cookie } = await signIn(h);
    const put = (headers: Record<string, string>, body: unknown) =>
      h.root.request('/api/session', {
        method: 'PUT',
        headers: { ...json, ...headers },
        body: JSON.stringify(body),
      });
    // Without the CSRF header a cookie cannot change anything.
    expect((await put({ cookie }, { name: 'Ada' })).status).toBe(403);
    const bad = await put({ cookie, 'x-requested-with': 'vigil' }, { name: '' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe('/name');
    // The audit's actors for a bearer key and for the backplane's jobs are no analyst's name.
    for (const name of ['api', 'system:feedback', 'SYSTEM:retention']) {
      const taken = await put({ cookie, 'x-requested-with': 'vigil' }, { name });
      expect(taken.status, name).toBe(400);
      expect(((await taken.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe(
        '/name',
      );
      expect((await signIn(h, API_KEY, name)).res.status, name).toBe(400);
    }
    const ok = await put({ cookie, 'x-requested-with': 'vigil' }, { name: 'Ada' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ authenticated: true, subject: 'Ada', via: 'session' });
    const renamed = (ok.headers.get('set-cookie') ?? '').split(';', 1)[0]!;
    const me = await h.root.request('/api/session', { headers: { cookie: renamed } });
    expect(await me.json()).toEqual({ authenticated: true, subject: 'Ada', via: 'session' });
    // A bearer key has no session: refused, naming the field.
    const byKey = await put(bearer(), { name: 'Ada' });
    expect(byKey.status).toBe(400);
    // No credentials: 401.
    expect((await put({}, { name: 'Ada' })).status).toBe(401);
  });
});
