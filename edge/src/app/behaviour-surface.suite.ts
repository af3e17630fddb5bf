/** Edge behaviour, what every deployment shows: health, security headers, keys, metrics, the OpenAPI document. Run by behaviour.suite.ts. */
import { expect, it } from 'vitest';
import { type BehaviourContext, expectProblem } from './behaviour-support.js';

export function surfaceBehaviour({ api, tx, world, target }: BehaviourContext): void {
  it('answers health without a key', async () => {
    const r = await api.request('GET', '/v1/health', { auth: null });
    expect(r.status).toBe(200);
    const h = r.json() as { status: string; model_version: unknown };
    expect(h.status).toBe('ok');
    expect(typeof h.model_version).toBe('string');
  });

  it('sets security headers', async () => {
    const r = await api.request('GET', '/v1/health', { auth: null });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    // The scoring routes build theirs in one go (security-headers.ts): OWASP's REST set, with
    // the values the middleware gives every other route, on answers and on problems alike.
    const scored = await api.post('/v1/score', tx({ ...world('sec') }));
    const problem = await api.post('/v1/score', { amount: 'ten' });
    const batch = await api.post('/v1/score/batch', { transactions: [tx({ ...world('sec2') })] });
    expect([scored.status, problem.status, batch.status]).toEqual([200, 400, 200]);
    for (const res of [scored, problem, batch]) {
      for (const name of [
        'content-security-policy',
        'strict-transport-security',
        'x-content-type-options',
        'x-frame-options',
      ]) {
        expect(res.headers.get(name), name).toBe(r.headers.get(name));
      }
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('requires a valid bearer key on /v1 (health excepted) and /metrics', async () => {
    const t = tx({ ...world('auth') });
    for (const auth of [null, 'Bearer wrong-key-0123456789', 'Basic dXNlcjpwYXNz', 'Bearer']) {
      const r = await api.request('POST', '/v1/score', { body: t, auth });
      const p = expectProblem(r, 401);
      expect(p.type).toContain('unauthorized');
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expectProblem(await api.request('GET', '/metrics', { auth: null }), 401);
    expectProblem(await api.request('GET', '/v1/model', { auth: null }), 401);
    // Nothing was scored by the refused requests.
    expect((await api.score(t)).replayed).toBe(false);
    // The scheme is case-insensitive (RFC 7235).
    const lower = await api.request('GET', '/v1/model', { auth: `bearer ${target().apiKey}` });
    expect(lower.status).toBe(200);
  });

  it('exposes Prometheus counters on /metrics', async () => {
    const t = tx({ ...world('m') });
    const replaysBefore = await api.metric('vigil_replays_total');
    await api.score(t);
    await api.score(t);
    const r = await api.request('GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    for (const name of [
      'vigil_http_requests_total',
      'vigil_decisions_total',
      'vigil_degraded_requests_total',
      'vigil_replays_total',
      'vigil_id_conflicts_total',
      'vigil_score_request_duration_seconds',
      'vigil_events_emitted_total',
    ]) {
      expect(r.text).toContain(`# TYPE ${name} `);
    }
    expect(await api.metric('vigil_replays_total')).toBe(replaysBefore + 1);
  });

  it('publishes the OpenAPI document and a docs page without a key', async () => {
    const r = await api.request('GET', '/openapi.json', { auth: null });
    expect(r.status).toBe(200);
    const doc = r.json() as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { required?: string[] }> };
    };
    expect(doc.openapi).toMatch(/^3\.1\./);
    for (const path of [
      '/v1/score',
      '/v1/score/batch',
      '/v1/feedback',
      '/v1/feedback/batch',
      '/v1/health',
      '/v1/model',
      '/metrics',
    ]) {
      expect(doc.paths).toHaveProperty([path]);
    }
    expect(doc.components.schemas['Transaction']?.required).toEqual(
      expect.arrayContaining([
        'transaction_id',
        'timestamp',
        'customer_id',
        'terminal_id',
        'amount',
      ]),
    );
    const docs = await api.request('GET', '/docs', { auth: null });
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
    expect(docs.text).toContain('/v1/score/batch');
    expect(docs.text).not.toMatch(/<script|https?:\/\/(?!json-schema)/);
  });
}
