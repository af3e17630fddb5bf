/**
 * The thresholds preview bounded as the rule backtest (issue 16, point 3): one long read at a time
 * per analyst, counted across the two routes (a second → 429 with Retry-After; another analyst
 * runs), a read past VIGIL_BACKTEST_TIMEOUT_MS → 503, and the counts the same whatever the page
 * size. Run on PGlite (thresholds.test.ts) and on PostgreSQL 15 (backplane/test/thresholds.test.ts).
 * The running read is held by a gate in the test's limit (the same limit the app's routes share).
 */
import type { Hono } from 'hono';
import type { Sql } from 'postgres';
import { expect } from 'vitest';
import { CSRF_HEADER, CSRF_VALUE } from '../auth.js';
import { OneReadPerAnalyst } from '../heavy-reads.js';
import { apiHarness, bearer, insertMany, API_KEY } from '../test-support.js';

/** The limit the app's routes share, able to hold the next read that gets past it. */
class HeldLimit extends OneReadPerAnalyst {
  private hold: { entered: () => void; released: Promise<void> } | null = null;

  /** Hold the next read admitted until `release`; `entered` settles once it is admitted. */
  holdNext(): { entered: Promise<void>; release: () => void } {
    let entered!: () => void;
    let release!: () => void;
    const e = new Promise<void>((r) => (entered = r));
    this.hold = { entered, released: new Promise<void>((r) => (release = r)) };
    return { entered: e, release };
  }

  override run<T>(
    analyst: string,
    read: Parameters<OneReadPerAnalyst['run']>[1],
    work: (betweenPages: () => void) => Promise<T>,
  ): Promise<T> {
    return super.run(analyst, read, async (betweenPages) => {
      const h = this.hold;
      if (h) {
        this.hold = null;
        h.entered();
        await h.released;
      }
      return work(betweenPages);
    });
  }
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function post(root: Hono, path: string, body: unknown, headers: Record<string, string>) {
  const res = await root.request(path, { method: 'POST', headers, body: JSON.stringify(body) });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    headers: res.headers,
  } satisfies Answer;
}

/** A session of analyst `name` (its cookie and the CSRF header a cookie's POST needs). */
async function sessionOf(root: Hono, name: string): Promise<Record<string, string>> {
  const res = await root.request('/api/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: API_KEY, name }),
  });
  expect(res.status).toBe(200);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';', 1)[0]!;
  return { cookie, 'content-type': 'application/json', [CSRF_HEADER]: CSRF_VALUE };
}

function expectTooMany(a: Answer): void {
  expect(a.status, JSON.stringify(a.body)).toBe(429);
  expect(a.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(Number(a.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(a.body.detail).toMatch(/backtest or thresholds preview of yours is still running/);
}

export async function checkPreviewBounds(sql: Sql, run: string): Promise<void> {
  // 23 decisions of a window of their own (model 'gbdt-test', as test-support stores them).
  const from = new Date('2033-04-01T00:00:00Z');
  const to = new Date('2033-04-02T00:00:00Z');
  const scores = Array.from({ length: 23 }, (_, i) => Math.round(((i * 37) % 100) + 0.5) / 100);
  await insertMany(
    sql,
    scores.map((score, i) => ({
      transaction_id: `${run}_pb_${String(i).padStart(2, '0')}`,
      ts: new Date(from.getTime() + i * 60_000),
      score,
      amount: 10 + i,
      label: i % 4 === 0 ? 'fraud' : null,
    })),
  );
  const window = { from: from.toISOString(), to: to.toISOString() };
  const preview = { review: 0.3, decline: 0.7, model_version: 'gbdt-test', ...window };
  const backtest = { expression: 'tx.amount > 20.0', action: 'review', ...window };

  // The counts over pages of 4 rows are a plain count of the scores (no rule matched any).
  const limit = new HeldLimit();
  const { root } = apiHarness(sql, { backtest: { sql, timeoutMs: 60_000, pageRows: 4, limit } });
  const counted = await post(root, '/api/thresholds/preview', preview, bearer());
  expect(counted.status, JSON.stringify(counted.body)).toBe(200);
  const p = counted.body.proposed as Record<string, { count: number; fraud: number }>;
  const plain = (lo: number, hi: number) => scores.filter((s) => s >= lo && s < hi);
  expect(counted.body.evaluated).toBe(23);
  expect(p.approve!.count).toBe(plain(0, 0.3).length);
  expect(p.review!.count).toBe(plain(0.3, 0.7).length);
  expect(p.decline!.count).toBe(plain(0.7, 2).length);
  expect(p.approve!.fraud + p.review!.fraud + p.decline!.fraud).toBe(6);

  const grace = await sessionOf(root, 'Grace');

  // A backtest of 'api' (the bearer key's analyst) running: its preview and a second backtest
  // are refused; Grace's preview runs meanwhile.
  let held = limit.holdNext();
  const runningBacktest = post(root, '/api/rules/backtest', backtest, bearer());
  await held.entered;
  expectTooMany(await post(root, '/api/thresholds/preview', preview, bearer()));
  expectTooMany(await post(root, '/api/rules/backtest', backtest, bearer()));
  const graces = await post(root, '/api/thresholds/preview', preview, grace);
  expect(graces.status, JSON.stringify(graces.body)).toBe(200);
  expect(graces.body.proposed).toEqual(counted.body.proposed);
  held.release();
  const b = await runningBacktest;
  expect(b.status, JSON.stringify(b.body)).toBe(200);
  expect(b.body.evaluated).toBe(23);

  // And the other way round: a preview running, the same analyst's backtest is refused.
  held = limit.holdNext();
  const runningPreview = post(root, '/api/thresholds/preview', preview, bearer());
  await held.entered;
  expectTooMany(await post(root, '/api/rules/backtest', backtest, bearer()));
  expect((await post(root, '/api/rules/backtest', backtest, grace)).status).toBe(200);
  held.release();
  const done = await runningPreview;
  expect(done.status).toBe(200);
  expect(done.body.proposed).toEqual(counted.body.proposed);
  // Both ended: the analyst runs again.
  expect((await post(root, '/api/thresholds/preview', preview, bearer())).status).toBe(200);

  // Past its limit (0 ms: over by the end of its first page of 4) → 503 naming the setting, and
  // the analyst is free again (a 503 again, not a 429).
  const strict = apiHarness(sql, { backtest: { sql, timeoutMs: 0, pageRows: 4 } }).root;
  for (let i = 0; i < 2; i++) {
    const late = await post(strict, '/api/thresholds/preview', preview, bearer());
    expect(late.status, JSON.stringify(late.body)).toBe(503);
    expect(late.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(late.body.detail).toMatch(
      /preview ran past its limit of 0 ms.*VIGIL_BACKTEST_TIMEOUT_MS/,
    );
  }
}
