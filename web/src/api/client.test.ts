import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { fakeFetch, jsonResponse as json } from '../test/fakes.js';
import { createApiClient, toQuery } from './client.js';

const stats = {
  window: '5m',
  from: 'a',
  to: 'b',
  transactions: 10,
  tps: 2,
  decisions: { approve: 8, review: 1, decline: 1 },
  fraud_rate: 0.1,
  labelled_fraud_rate: 0.1,
  money: [],
  false_positive_share: null,
  open_case_median_age_s: null,
  score_histogram: new Array<number>(20).fill(0),
  latency_ms: { p50: 0.4, p99: 2 },
  consumer_lag: 0,
  open_cases: 2,
  series: [],
};

describe('toQuery', () => {
  it('drops empty members and joins lists', () => {
    expect(
      toQuery({
        decision: ['review', 'decline'],
        min_score: 0.5,
        customer_id: '',
        cursor: undefined,
      }),
    ).toBe('?decision=review%2Cdecline&min_score=0.5');
    expect(toQuery({})).toBe('');
  });
});

describe('createApiClient', () => {
  it('sends the CSRF header and the cookie, and JSON bodies', async () => {
    const f = fakeFetch(() => json({ running: true, rate: 200, sent: 0, errors: 0 }));
    const api = createApiClient({ fetch: f.fetch });
    const state = await api.setTraffic(true, 200);
    expect(state).toEqual({ running: true, rate: 200, sent: 0, errors: 0 });
    const { url, init } = f.calls[0]!;
    expect(url).toBe('/api/traffic');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    const headers = init.headers as Record<string, string>;
    expect(headers['X-Requested-With']).toBe('vigil');
    expect(headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(init.body as string)).toEqual({ running: true, rate: 200 });
  });

  it('builds list queries and encodes ids in paths', async () => {
    const f = fakeFetch((url) =>
      url.startsWith('/api/transactions?') ? json({ items: [], next_cursor: null }) : json({}, 404),
    );
    const api = createApiClient({ fetch: f.fetch, baseUrl: '' });
    await api.listTransactions({ decision: ['review', 'decline'], limit: 50 });
    expect(f.calls[0]!.url).toBe('/api/transactions?decision=review%2Cdecline&limit=50');
    await expect(api.getTransaction('a/b c')).rejects.toBeInstanceOf(ApiError);
    expect(f.calls[1]!.url).toBe('/api/transactions/a%2Fb%20c');
  });

  it('turns problem+json into an ApiError carrying the problem', async () => {
    const f = fakeFetch(() =>
      json(
        {
          type: 'urn:vigil:problem:stale-version',
          title: 'Stale version',
          status: 409,
          detail: 'case is at version 5',
        },
        409,
        'application/problem+json',
      ),
    );
    const api = createApiClient({ fetch: f.fetch });
    const err = await api.resolveCase('c1', 'fraud', 4).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    expect(e.code).toBe('http');
    expect(e.status).toBe(409);
    expect(e.problem?.type).toBe('urn:vigil:problem:stale-version');
    expect(e.message).toBe('case is at version 5');
  });

  it('survives an error page that is not JSON', async () => {
    const f = fakeFetch(
      () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    const api = createApiClient({ fetch: f.fetch });
    const e = (await api.getStats('5m').catch((x: unknown) => x)) as ApiError;
    expect(e.status).toBe(502);
    expect(e.problem).toBeNull();
    expect(e.message).toBe('502 Bad Gateway');
  });

  it('reports a network failure as code network', async () => {
    const api = createApiClient({ fetch: () => Promise.reject(new TypeError('Failed to fetch')) });
    const e = (await api.getTraffic().catch((x: unknown) => x)) as ApiError;
    expect(e.code).toBe('network');
    expect(e.status).toBe(0);
    expect(e.cause).toBeInstanceOf(TypeError);
  });

  it('refuses an answer of the wrong shape', async () => {
    const f = fakeFetch(() => json({ ...stats, decisions: 'many' }));
    const api = createApiClient({ fetch: f.fetch });
    const e = (await api.getStats('5m').catch((x: unknown) => x)) as ApiError;
    expect(e.code).toBe('invalid_response');
    await expect(
      createApiClient({ fetch: fakeFetch(() => json(stats)).fetch }).getStats('1h'),
    ).resolves.toMatchObject({
      tps: 2,
    });
  });

  it('calls onUnauthorized on a 401, except on the session routes', async () => {
    let ended = 0;
    const f = fakeFetch(() =>
      json({ title: 'Unauthorized', status: 401 }, 401, 'application/problem+json'),
    );
    const api = createApiClient({ fetch: f.fetch, onUnauthorized: () => ended++ });
    await expect(api.getStats('5m')).rejects.toBeInstanceOf(ApiError);
    expect(ended).toBe(1);
    await expect(api.getSession()).rejects.toBeInstanceOf(ApiError);
    await expect(api.signIn('bad')).rejects.toBeInstanceOf(ApiError);
    expect(ended).toBe(1);
  });

  it('accepts an empty answer where none is promised, and lenient answers as null', async () => {
    const f = fakeFetch((url) =>
      url.endsWith('/assign') ? json({ ok: true }) : new Response(null, { status: 204 }),
    );
    const api = createApiClient({ fetch: f.fetch });
    await expect(api.injectScenario(2)).resolves.toBeNull();
    await expect(api.signOut()).resolves.toBeUndefined();
    await expect(api.assignCase('c', 'ana', 1)).resolves.toBeNull();
    expect(JSON.parse(f.calls[0]!.init.body as string)).toEqual({ scenario: 2 });
  });

  it('reports an aborted request as aborted', async () => {
    const controller = new AbortController();
    const api = createApiClient({
      fetch: (_u, init) =>
        new Promise((_res, rej) => {
          init?.signal?.addEventListener('abort', () =>
            rej(new DOMException('aborted', 'AbortError')),
          );
        }),
    });
    const p = api.getTransaction('tx_1', controller.signal);
    controller.abort();
    await expect(p).rejects.toMatchObject({ code: 'aborted' });
  });
});
