/**
 * The edge's behaviour over real HTTP, as one suite that every runtime runs: the Node runtime in
 * runtime/node/node-edge.test.ts, the Worker under workerd (miniflare) in runtime/workers. It sees
 * only URLs and status codes, so it tests the same contract wherever the app runs.
 *
 * State is observed without peeking into the store: "twin worlds" (customers and terminals with
 * identical histories) are probed with identical transactions; equal answers mean equal states.
 * Each such test also shows its probe is sensitive (a world that did change answers differently),
 * so none of them could pass by accident.
 *
 * Ids carry a per-run prefix, so the suite can run against a persistent store (Redis) repeatedly.
 * Event times lie in one month (March 2024), well inside any store's retention.
 */
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A running edge to test. */
export interface EdgeTarget {
  /** e.g. http://127.0.0.1:54321 (no trailing slash). */
  readonly baseUrl: string;
  /** A key in the target's VIGIL_API_KEYS. */
  readonly apiKey: string;
  close(): Promise<void>;
}

/** Ways a target's feature store can fail, for the degraded-mode tests. */
export type StoreFault = 'store-throws' | 'store-hangs';

export interface EdgeBehaviourOptions {
  /**
   * A target (same model) whose feature store fails this way: its `step` throws, or never answers
   * within VIGIL_FEATURE_TIMEOUT_MS. Without it the degraded-mode tests are reported as todo.
   */
  readonly makeFaultyTarget?: (fault: StoreFault) => Promise<EdgeTarget>;
  /** The target's VIGIL_MAX_BODY_BYTES (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** fast-check runs per property (default 60). */
  readonly propertyRuns?: number;
}

interface Answer {
  transaction_id: string;
  score: number;
  decision: string;
  reasons: { code: string; feature: string; contribution: number }[];
  model_version: string;
  degraded: boolean;
  replayed: boolean;
}

interface Tx {
  transaction_id: string;
  timestamp: string;
  customer_id: string;
  terminal_id: string;
  amount: number;
  currency?: string;
}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json(): unknown;
}

const BASE_SEC = Date.UTC(2024, 2, 4) / 1000; // Monday 4 March 2024, 00:00 UTC

/** RFC 3339 time `day` days and `hour`:`minute` after the suite's base day. */
function at(day: number, hour: number, minute = 0): string {
  const s = BASE_SEC + day * 86_400 + hour * 3_600 + minute * 60;
  return new Date(s * 1000).toISOString().replace('.000Z', 'Z');
}

/** An answer without its id: what twin worlds must agree on. */
function content(a: Answer): Omit<Answer, 'transaction_id'> {
  const { transaction_id: _id, ...rest } = a;
  return rest;
}

class Api {
  constructor(private readonly t: EdgeTarget) {}

  async request(
    method: string,
    path: string,
    init: { body?: unknown; raw?: string; contentType?: string; auth?: string | null } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (init.auth !== null) headers['authorization'] = init.auth ?? `Bearer ${this.t.apiKey}`;
    const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
    if (body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
    const res = await fetch(`${this.t.baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      json: () => JSON.parse(text) as unknown,
    };
  }

  post(path: string, body: unknown): Promise<Reply> {
    return this.request('POST', path, { body });
  }

  async score(tx: Tx): Promise<Answer> {
    const r = await this.post('/v1/score', tx);
    if (r.status !== 200) throw new Error(`score ${tx.transaction_id}: ${r.status} ${r.text}`);
    return r.json() as Answer;
  }

  async batch(txs: Tx[]): Promise<Answer[]> {
    const r = await this.post('/v1/score/batch', { transactions: txs });
    if (r.status !== 200) throw new Error(`batch: ${r.status} ${r.text}`);
    return (r.json() as { results: Answer[] }).results;
  }

  async metric(line: string): Promise<number> {
    const r = await this.request('GET', '/metrics');
    const found = r.text.split('\n').find((l) => l.startsWith(`${line} `));
    return found === undefined ? 0 : Number(found.slice(line.length + 1));
  }
}

/** Expect an RFC 9457 problem with this status; returns it. */
function expectProblem(r: Reply, status: number) {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const p = r.json() as {
    type: string;
    title: string;
    status: number;
    detail: string;
    errors?: { path: string; message: string }[];
  };
  expect(p.status).toBe(status);
  expect([typeof p.type, typeof p.title, typeof p.detail]).toEqual(['string', 'string', 'string']);
  return p;
}

/** Run the edge behaviour suite against targets made by `makeTarget`. */
export function describeEdgeBehaviour(
  name: string,
  makeTarget: () => Promise<EdgeTarget>,
  options: EdgeBehaviourOptions = {},
): void {
  describe(`edge behaviour: ${name}`, () => {
    let target: EdgeTarget;
    let api: Api;
    const run = `r${Math.random().toString(36).slice(2, 10)}`;
    let seq = 0;
    /** A fresh id with a readable tag. */
    const id = (tag: string) => `${run}_${tag}_${++seq}`;
    const tx = (over: Partial<Tx> & Pick<Tx, 'customer_id' | 'terminal_id'>): Tx => ({
      transaction_id: id('tx'),
      timestamp: at(0, 10),
      amount: 42.5,
      currency: 'EUR',
      ...over,
    });
    /** A world: its own customer and terminal. */
    const world = (tag: string) => ({ customer_id: id(`${tag}c`), terminal_id: id(`${tag}t`) });

    beforeAll(async () => {
      target = await makeTarget();
      api = new Api(target);
    });
    afterAll(async () => {
      await target?.close();
    });

    it('answers health without a key', async () => {
      const r = await api.request('GET', '/v1/health', { auth: null });
      expect(r.status).toBe(200);
      const h = r.json() as { status: string; model_version: unknown };
      expect(h.status).toBe('ok');
      expect(typeof h.model_version).toBe('string');
    });

    it('scores a transaction with the documented answer and Server-Timing', async () => {
      const model = (await api.request('GET', '/v1/model')).json() as {
        version: string;
        feature_names: string[];
        thresholds: { review: number; decline: number };
        metrics: unknown;
      };
      expect(model.feature_names.length).toBeGreaterThan(10);
      expect(model.metrics).toBeTypeOf('object');
      const t = tx({ ...world('happy') });
      const r = await api.post('/v1/score', t);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      const a = r.json() as Answer;
      expect(Object.keys(a)).toEqual([
        'transaction_id',
        'score',
        'decision',
        'reasons',
        'model_version',
        'degraded',
        'replayed',
      ]);
      expect(a).toMatchObject({
        transaction_id: t.transaction_id,
        model_version: model.version,
        degraded: false,
        replayed: false,
      });
      expect(a.score).toBeGreaterThanOrEqual(0);
      expect(a.score).toBeLessThanOrEqual(1);
      const th = model.thresholds;
      const expected =
        a.score >= th.decline ? 'decline' : a.score >= th.review ? 'review' : 'approve';
      expect(a.decision).toBe(expected);
      expect(a.reasons.length).toBeLessThanOrEqual(3);
      for (const reason of a.reasons) {
        expect(Object.keys(reason)).toEqual(['code', 'feature', 'contribution']);
        expect(model.feature_names).toContain(reason.feature);
        expect(reason.contribution).toBeGreaterThan(0);
      }
      const timing = r.headers.get('server-timing') ?? '';
      const dur = (m: string) => Number(new RegExp(`${m};dur=([0-9.]+)`).exec(timing)?.[1]);
      for (const m of ['features', 'model', 'total'])
        expect(dur(m), timing).toBeGreaterThanOrEqual(0);
      expect(dur('total')).toBeGreaterThanOrEqual(dur('features'));
    });

    it('answers concurrent requests each with its own score', async () => {
      // 40 transactions of 40 fresh customers and terminals: their features do not depend on the
      // order they are processed in, so concurrent answers must equal sequential ones for twins.
      const amounts = Array.from({ length: 40 }, (_, i) => 5 + i * 37.5);
      const mk = (tag: string) => amounts.map((amount) => tx({ ...world(tag), amount }));
      const concurrent = await Promise.all(mk('conc').map((t) => api.post('/v1/score', t)));
      const sequential: (typeof concurrent)[number][] = [];
      for (const t of mk('seq')) sequential.push(await api.post('/v1/score', t));
      concurrent.forEach((r, i) => {
        expect(r.status).toBe(200);
        const a = r.json() as Answer;
        const b = sequential[i]!.json() as Answer;
        expect(a.degraded).toBe(false);
        expect(a.score).toBeCloseTo(b.score, 6);
      });
      const scores = new Set(concurrent.map((r) => (r.json() as Answer).score));
      expect(scores.size).toBeGreaterThan(1);
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

    it('replays a transaction id: first answer, replayed: true, no state change', async () => {
      const [x, y, z] = [world('rx'), world('ry'), world('rz')];
      const first = tx({ ...x, amount: 900, timestamp: at(1, 9) });
      const a = await api.score(first);
      await api.score(tx({ ...y, amount: 900, timestamp: at(1, 9) }));
      await api.score(tx({ ...z, amount: 900, timestamp: at(1, 9) }));
      // The same id and payload again is the first answer and changes nothing — with the time
      // spelled in another zone, or other optional fields (no feature reads them), too.
      expect(await api.score(first)).toEqual({ ...a, replayed: true });
      const respelled = { ...first, timestamp: '2024-03-05T10:00:00+01:00', currency: 'USD' };
      expect(respelled.timestamp).not.toBe(first.timestamp);
      expect(await api.score(respelled)).toEqual({ ...a, replayed: true });
      // World z gets the same transactions as fresh ones: its state does change.
      for (let k = 0; k < 5; k++) await api.score(tx({ ...z, amount: 900, timestamp: at(1, 11) }));
      const probe = (w: typeof x) => api.score(tx({ ...w, amount: 30, timestamp: at(1, 12) }));
      const [px, py, pz] = [await probe(x), await probe(y), await probe(z)];
      expect(content(px)).toEqual(content(py));
      expect(content(pz)).not.toEqual(content(py));
    });

    it('refuses a transaction id reused with another payload: 422, nothing changed', async () => {
      const [x, y, z] = [world('ux'), world('uy'), world('uz')];
      const first = tx({ ...x, amount: 120, timestamp: at(1, 14) });
      const a = await api.score(first);
      await api.score(tx({ ...y, amount: 120, timestamp: at(1, 14) }));
      await api.score(tx({ ...z, amount: 120, timestamp: at(1, 14) }));
      const counter = 'vigil_id_conflicts_total';
      const before = await api.metric(counter);
      const reused = (p: { type: string; errors?: { path: string; message: string }[] }) => {
        expect(p.type).toBe('urn:vigil:problem:transaction-id-reused');
        for (const e of p.errors ?? []) expect(e.message).toContain(first.transaction_id);
        return p.errors?.map((e) => e.path);
      };
      for (const other of [
        { amount: 120.01 },
        { customer_id: y.customer_id },
        { terminal_id: y.terminal_id },
        { timestamp: at(1, 14, 1) },
      ]) {
        const p = expectProblem(await api.post('/v1/score', { ...first, ...other }), 422);
        expect(reused(p), JSON.stringify(other)).toEqual(['/transaction_id']);
      }
      // In a batch the item is named by index, and nothing of the batch is scored; an id new to
      // the edge repeated with two payloads inside one batch is refused the same way.
      const later = tx({ ...x, amount: 50, timestamp: at(1, 15) });
      const b = await api.post('/v1/score/batch', {
        transactions: [later, { ...first, amount: 1 }],
      });
      expect(reused(expectProblem(b, 422))).toEqual(['/transactions/1/transaction_id']);
      const twice = tx({ ...x, amount: 60, timestamp: at(1, 16) });
      const d = await api.post('/v1/score/batch', {
        transactions: [twice, { ...twice, amount: 61 }],
      });
      expect(expectProblem(d, 422).errors?.map((e) => e.path)).toEqual([
        '/transactions/1/transaction_id',
      ]);
      expect(await api.metric(counter)).toBe(before + 6);
      // The first payload still gets the first answer.
      expect(await api.score(first)).toEqual({ ...a, replayed: true });
      // World x saw nothing of the refused requests: it answers as its twin y does, whereas z,
      // given five more transactions, does not.
      for (let k = 0; k < 5; k++) await api.score(tx({ ...z, amount: 900, timestamp: at(1, 15) }));
      const probe = (w: typeof x) => api.score(tx({ ...w, amount: 30, timestamp: at(1, 17) }));
      const [px, py, pz] = [await probe(x), await probe(y), await probe(z)];
      expect(content(px)).toEqual(content(py));
      expect(content(pz)).not.toEqual(content(py));
      // …and the refused batches recorded nothing: their items are new.
      expect((await api.batch([later, twice])).map((r) => r.replayed)).toEqual([false, false]);
    });

    it('scores a batch in order: the same answers as one by one', async () => {
      const [u, v, w] = [world('bu'), world('bv'), world('bw')];
      const plan = [
        { amount: 12, timestamp: at(2, 8) },
        { amount: 35, timestamp: at(2, 9) },
        { amount: 18.5, timestamp: at(2, 9, 30) },
        { amount: 640, timestamp: at(2, 10) },
        { amount: 22, timestamp: at(2, 11) },
      ];
      const batch = await api.batch(plan.map((p) => tx({ ...u, ...p })));
      const single: Answer[] = [];
      for (const p of plan) single.push(await api.score(tx({ ...v, ...p })));
      expect(batch.map(content)).toEqual(single.map(content));
      expect(batch.every((a) => !a.replayed && !a.degraded)).toBe(true);
      // Later items saw earlier ones: the last one scored alone, on a fresh world, differs.
      const alone = await api.score(tx({ ...w, ...plan[4]! }));
      expect(content(alone)).not.toEqual(content(batch[4]!));
    });

    it('answers a repeated id inside a batch as a replay of its first answer', async () => {
      const t = tx({ ...world('dup') });
      const [a, b] = await api.batch([t, t]);
      expect(b).toEqual({ ...a, replayed: true });
      expect(await api.score(t)).toEqual({ ...a, replayed: true });
    });

    it('rejects a batch with invalid items naming each index and field, scoring nothing', async () => {
      const w = world('bad');
      const good = tx({ ...w });
      const items: unknown[] = [
        good,
        { ...tx({ ...w }), amount: -3 },
        tx({ ...w }),
        { ...tx({ ...w }), shoe_size: 44 },
      ];
      const p = expectProblem(await api.post('/v1/score/batch', { transactions: items }), 400);
      expect(p.errors?.map((e) => e.path).sort()).toEqual([
        '/transactions/1/amount',
        '/transactions/3/shoe_size',
      ]);
      // Nothing was scored: the valid first item is still fresh.
      expect((await api.score(good)).replayed).toBe(false);
      const tooMany = Array.from({ length: 1_001 }, () => tx({ ...w }));
      const big = expectProblem(await api.post('/v1/score/batch', { transactions: tooMany }), 400);
      expect(big.errors?.map((e) => e.path)).toEqual(['/transactions']);
      expectProblem(await api.post('/v1/score/batch', { transactions: [] }), 400);
    });

    it('raises the terminal risk with fraud feedback, withdraws it with legitimate', async () => {
      const [f, n] = [id('ft'), id('nt')];
      const day0 = (terminal: string) =>
        [8, 9, 10, 11].map((h) =>
          tx({ customer_id: id('fc'), terminal_id: terminal, timestamp: at(3, h) }),
        );
      const fraudTxs = day0(f);
      await api.batch(fraudTxs);
      await api.batch(day0(n));
      const feedback = fraudTxs.map((t) => ({
        transaction_id: t.transaction_id,
        label: 'fraud',
        timestamp: at(10, 9),
      }));
      const r = await api.post('/v1/feedback/batch', { feedback });
      expect(r.status).toBe(202);
      expect(r.json()).toEqual({ accepted: 4, applied: 4, unchanged: 0 });
      const again = await api.post('/v1/feedback/batch', { feedback });
      expect(again.json()).toEqual({ accepted: 4, applied: 0, unchanged: 4 });
      // Seven days later the labelled terminal's risk shows; the twin terminal's does not.
      const probe = (terminal: string, hour: number) =>
        api.score(tx({ customer_id: id('pc'), terminal_id: terminal, timestamp: at(10, hour) }));
      const [pf, pn] = [await probe(f, 10), await probe(n, 10)];
      expect(pf.score).toBeGreaterThan(pn.score);
      // `legitimate` withdraws each fraud: the terminals are twins again.
      for (const t of fraudTxs) {
        const one = await api.post('/v1/feedback', {
          transaction_id: t.transaction_id,
          label: 'legitimate',
          timestamp: at(10, 11),
        });
        expect(one.status).toBe(202);
        expect(one.json()).toEqual({
          transaction_id: t.transaction_id,
          label: 'legitimate',
          outcome: 'applied',
        });
      }
      const [qf, qn] = [await probe(f, 12), await probe(n, 12)];
      expect(content(qf)).toEqual(content(qn));
    });

    it('answers 404 naming unknown transaction ids, applying nothing', async () => {
      const known = tx({ ...world('fk') });
      await api.score(known);
      const unknownId = id('never');
      const single = expectProblem(
        await api.post('/v1/feedback', {
          transaction_id: unknownId,
          label: 'fraud',
          timestamp: at(5, 0),
        }),
        404,
      );
      expect(single.errors?.map((e) => e.path)).toEqual(['/transaction_id']);
      expect(single.errors?.[0]?.message).toContain(unknownId);
      const batch = expectProblem(
        await api.post('/v1/feedback/batch', {
          feedback: [
            { transaction_id: known.transaction_id, label: 'fraud', timestamp: at(5, 0) },
            { transaction_id: unknownId, label: 'fraud', timestamp: at(5, 0) },
          ],
        }),
        404,
      );
      expect(batch.errors?.map((e) => e.path)).toEqual(['/feedback/1/transaction_id']);
      expect(batch.detail).toContain(unknownId);
      // All or nothing: the known transaction's fraud label was not applied.
      const applied = await api.post('/v1/feedback', {
        transaction_id: known.transaction_id,
        label: 'fraud',
        timestamp: at(5, 0),
      });
      expect((applied.json() as { outcome: string }).outcome).toBe('applied');
    });

    it('refuses verdict times outside 1970 … a day ahead, naming /timestamp, applying nothing', async () => {
      const known = tx({ ...world('vt') });
      await api.score(known);
      for (const timestamp of ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z']) {
        const one = { transaction_id: known.transaction_id, label: 'fraud', timestamp };
        const p = expectProblem(await api.post('/v1/feedback', one), 400);
        expect(p.errors?.map((e) => e.path)).toEqual(['/timestamp']);
        const good = { ...one, timestamp: at(5, 0) };
        const b = expectProblem(
          await api.post('/v1/feedback/batch', { feedback: [good, one] }),
          400,
        );
        expect(b.errors?.map((e) => e.path)).toEqual(['/feedback/1/timestamp']);
      }
      // Nothing was applied: the first real verdict is new.
      const r = await api.post('/v1/feedback', {
        transaction_id: known.transaction_id,
        label: 'fraud',
        timestamp: '2024-03-09T10:00:00.123456789+16:00',
      });
      expect(r.status).toBe(202);
      expect((r.json() as { outcome: string }).outcome).toBe('applied');
    });

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
      const lower = await api.request('GET', '/v1/model', { auth: `bearer ${target.apiKey}` });
      expect(lower.status).toBe(200);
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
      const p = expectProblem(
        await api.request('POST', '/v1/score', { raw: '{"amount": 1,' }),
        400,
      );
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

    describe('malformed input (property-based)', () => {
      const runs = options.propertyRuns ?? 60;
      const fields = [
        'transaction_id',
        'timestamp',
        'customer_id',
        'terminal_id',
        'amount',
      ] as const;

      /** A transaction made invalid in one of four ways. */
      const invalidTx = (w: { customer_id: string; terminal_id: string }) =>
        fc
          .tuple(
            fc.constantFrom(...fields),
            fc.oneof(
              fc.constant({ kind: 'missing' as const }),
              fc.record({
                kind: fc.constant('wrong-type' as const),
                value: fc.oneof(
                  fc.boolean(),
                  fc.constant(null),
                  fc.array(fc.integer()),
                  fc.object(),
                ),
              }),
              fc.record({
                kind: fc.constant('huge' as const),
                value: fc.string({ minLength: 129 }),
              }),
              fc.record({
                kind: fc.constant('unknown-field' as const),
                key: fc.string({ minLength: 1 }).filter((k) => !(k in tx({ ...w }))),
                value: fc.jsonValue(),
              }),
            ),
          )
          .map(([field, m]) => {
            const t: Record<string, unknown> = { ...tx({ ...w }) };
            if (m.kind === 'missing') delete t[field];
            else if (m.kind === 'unknown-field') t[m.key] = m.value;
            // A long string breaks every field: ids are ≤ 128, amount is a number, timestamps RFC 3339.
            else t[field] = m.value;
            return t;
          });

      it('never answers 5xx, always problem+json, and changes no state', async () => {
        const [a, b, c] = [world('pa'), world('pb'), world('pc')];
        const seen: number[] = [];
        const check = (path: string, r: Reply) => {
          seen.push(r.status);
          if (r.status < 400 || r.status >= 500) throw new Error(`${path}: ${r.status} ${r.text}`);
          expectProblem(r, r.status);
        };
        const payload = fc.oneof(
          fc.jsonValue().map((v) => ({ kind: 'json' as const, v })),
          invalidTx(a).map((v) => ({ kind: 'json' as const, v })),
          fc
            .tuple(fc.array(fc.constant(null), { maxLength: 4 }), invalidTx(a))
            .map(([before, bad]) => ({
              kind: 'json' as const,
              v: { transactions: [...before.map(() => tx({ ...a })), bad] },
            })),
          fc.string().map((s) => ({ kind: 'raw' as const, v: `{${s}` })),
        );
        await fc.assert(
          fc.asyncProperty(
            payload,
            fc.constantFrom('/v1/score', '/v1/score/batch', '/v1/feedback', '/v1/feedback/batch'),
            async (p, path) => {
              const r =
                p.kind === 'raw'
                  ? await api.request('POST', path, { raw: p.v })
                  : await api.post(path, p.v);
              check(path, r);
            },
          ),
          { numRuns: runs },
        );
        expect(seen.length).toBe(runs);
        // World a received every malformed transaction and batch; b nothing; c one real transaction.
        await api.score(tx({ ...c }));
        const probe = (w: typeof a) => api.score(tx({ ...w, amount: 77, timestamp: at(0, 11) }));
        const [pa, pb, pc] = [await probe(a), await probe(b), await probe(c)];
        expect(content(pa)).toEqual(content(pb));
        expect(content(pc)).not.toEqual(content(pb));
      });
    });

    describe('degraded mode', () => {
      const faulty = options.makeFaultyTarget;
      if (!faulty) {
        it.todo('needs makeFaultyTarget');
        return;
      }
      it.each(['store-throws', 'store-hangs'] as const)(
        '%s: answers 200 degraded from fallback features, counted in /metrics',
        async (fault) => {
          const bad = await faulty(fault);
          try {
            const badApi = new Api(bad);
            const cause = fault === 'store-throws' ? 'store_error' : 'store_timeout';
            const counter = `vigil_degraded_requests_total{cause="${cause}"}`;
            const before = await badApi.metric(counter);
            const t = tx({ ...world('deg'), amount: 250, timestamp: at(4, 3) });
            const r = await badApi.post('/v1/score', t);
            expect(r.status, r.text).toBe(200);
            const a = r.json() as Answer;
            expect(a).toMatchObject({
              transaction_id: t.transaction_id,
              degraded: true,
              replayed: false,
            });
            expect(await badApi.metric(counter)).toBe(before + 1);
            // Fallback features are a first-ever transaction's: the healthy edge agrees on a fresh world.
            const healthy = await api.score({ ...t, ...world('fresh') });
            expect({ ...content(a), degraded: false }).toEqual(content(healthy));
            const batch = await badApi.batch([tx({ ...world('degb') }), tx({ ...world('degb') })]);
            expect(batch.map((x) => x.degraded)).toEqual([true, true]);
          } finally {
            await bad.close();
          }
        },
      );
    });
  });
}
