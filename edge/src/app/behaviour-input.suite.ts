/** Edge behaviour, input the edge refuses: fields, ids, query parameters, bodies, sizes, methods — each named, nothing applied. Run by behaviour.suite.ts. */
import { expect, it } from 'vitest';
import { at, type BehaviourContext, expectProblem } from './behaviour-support.js';

export function inputBehaviour({ api, id, tx, world, options }: BehaviourContext): void {
  it('refuses a card number as transaction_id on every route that takes one', async () => {
    const pan = '4111111111111111';
    const t = { ...tx({ ...world('pan') }), transaction_id: pan };
    const single = expectProblem(await api.post('/v1/score', t), 400);
    expect(single.errors?.map((e) => e.path)).toEqual(['/transaction_id']);
    const batch = expectProblem(await api.post('/v1/score/batch', { transactions: [t] }), 400);
    expect(batch.errors?.map((e) => e.path)).toEqual(['/transactions/0/transaction_id']);
    const fb = { transaction_id: pan, label: 'fraud', timestamp: at(5, 0) };
    const f = expectProblem(await api.post('/v1/feedback', fb), 400);
    expect(f.errors?.map((e) => e.path)).toEqual(['/transaction_id']);
    const fbb = expectProblem(await api.post('/v1/feedback/batch', { feedback: [fb] }), 400);
    expect(fbb.errors?.map((e) => e.path)).toEqual(['/feedback/0/transaction_id']);
  });

  it('refuses __proto__ and repeated query parameters on every route, naming them', async () => {
    const t = tx({ ...world('qp') });
    const routes: [string, string, unknown][] = [
      ['POST', '/v1/score', t],
      ['POST', '/v1/score/batch', { transactions: [t] }],
      [
        'POST',
        '/v1/feedback',
        { transaction_id: t.transaction_id, label: 'fraud', timestamp: at(5, 0) },
      ],
      ['POST', '/v1/feedback/batch', { feedback: [] }],
      ['GET', '/v1/health', undefined],
      ['GET', '/v1/model', undefined],
      ['GET', '/metrics', undefined],
      ['GET', '/openapi.json', undefined],
      ['GET', '/docs', undefined],
      ['GET', '/no/such/route', undefined],
    ];
    for (const [method, path, body] of routes) {
      for (const [query, name] of [
        ['?__proto__=1', '/__proto__'],
        ['?a=1&a=2', '/a'],
      ]) {
        const p = expectProblem(await api.request(method, `${path}${query}`, { body }), 400);
        expect(
          p.errors?.map((e) => e.path),
          `${method} ${path}${query}`,
        ).toEqual([name]);
      }
    }
    // Nothing was scored: the transaction is still new.
    expect((await api.score(t)).replayed).toBe(false);
  });

  it.each([
    ['amount as a string', { amount: '5' }, '/amount'],
    ['negative amount', { amount: -0.01 }, '/amount'],
    ['amount above 1e9', { amount: 1e9 + 1 }, '/amount'],
    ['timestamp without a zone', { timestamp: '2024-03-04T10:00:00' }, '/timestamp'],
    ['transaction_id with a space', { transaction_id: 'a b' }, '/transaction_id'],
    ['a card number as customer_id', { customer_id: '4111111111111111' }, '/customer_id'],
    ['lower-case currency', { currency: 'eur' }, '/currency'],
    ['an unknown field', { cvv: '123' }, '/cvv'],
    ['a missing terminal_id', { terminal_id: undefined }, '/terminal_id'],
  ])('rejects %s with 400 naming the field', async (_what, change, path) => {
    const body = { ...tx({ ...world('v') }), ...change };
    const p = expectProblem(await api.post('/v1/score', body), 400);
    expect(p.errors?.map((e) => e.path)).toContain(path);
  });

  it.each([
    ['a label outside fraud/legitimate', { label: 'chargeback' }, '/label'],
    ['a date-only timestamp', { timestamp: '2024-03-04' }, '/timestamp'],
    ['an unknown field', { note: 'x' }, '/note'],
  ])('rejects feedback with %s', async (_what, change, path) => {
    const body = { transaction_id: id('f'), label: 'fraud', timestamp: at(5, 0), ...change };
    const p = expectProblem(await api.post('/v1/feedback', body), 400);
    expect(p.errors?.map((e) => e.path)).toContain(path);
    const b = {
      feedback: [{ transaction_id: id('f'), label: 'fraud', timestamp: at(5, 0) }, body],
    };
    const pb = expectProblem(await api.post('/v1/feedback/batch', b), 400);
    expect(pb.errors?.map((e) => e.path)).toContain(`/feedback/1${path}`);
  });

  it('rejects bodies that are not JSON objects, or not JSON, or not declared JSON', async () => {
    const t = tx({ ...world('ct') });
    const form = await api.request('POST', '/v1/score', {
      raw: JSON.stringify(t),
      contentType: 'application/x-www-form-urlencoded',
    });
    expectProblem(form, 415);
    const p = expectProblem(await api.request('POST', '/v1/score', { raw: '{"amount": 1,' }), 400);
    expect(p.errors?.[0]?.path).toBe('');
    expectProblem(await api.request('POST', '/v1/score', { raw: '' }), 400);
    for (const body of [null, [], 'tx', 7, [t]]) {
      const q = expectProblem(await api.post('/v1/score', body), 400);
      expect(q.errors?.[0]?.path).toBe('');
    }
    expectProblem(await api.post('/v1/score/batch', { transactions: 'all' }), 400);
    expectProblem(await api.request('GET', '/v1/nothing-here'), 404);
    // A known route with the wrong method: 405 naming the methods it takes.
    for (const [method, path, allow] of [
      ['GET', '/v1/score', 'POST'],
      ['PUT', '/v1/feedback', 'POST'],
      ['POST', '/v1/model', 'GET, HEAD'],
    ] as const) {
      const res = await api.request(method, path);
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow);
      expectProblem(res, 405);
    }
    expect((await api.score(t)).replayed).toBe(false);
  });

  it('refuses oversized bodies with 413', async () => {
    const t = { ...tx({ ...world('big') }), device_id: 'd'.repeat(20_000) };
    expectProblem(await api.post('/v1/score', t), 413);
    const max = options.maxBodyBytes ?? 1_048_576;
    const filler = 'x'.repeat(max + 1);
    // The server answers 413 from Content-Length without reading the megabyte, and reads the
    // rest only to discard it: the client gets its answer, never a reset (issue 13).
    for (let attempt = 0; attempt < 3; attempt++) {
      const big = await api.request('POST', '/v1/score/batch', {
        raw: `{"transactions":[],"pad":"${filler}"}`,
      });
      expectProblem(big, 413);
    }
  });
}
