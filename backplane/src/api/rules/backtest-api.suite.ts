/**
 * POST /api/rules/backtest against a migrated database holding a known set of decisions, labels
 * and lists: run on PGlite (backtest.test.ts) and on PostgreSQL 15
 * (backplane/test/backtest.test.ts). Every number of the answer is checked against an independent
 * computation written out plainly here — the precedence and the candidate's condition spelt in
 * TypeScript, not run through the rule engine.
 */
import type { BacktestAnswer, Decision } from '@vigil/core';
import type { Hono } from 'hono';
import type { Sql } from 'postgres';
import { expect } from 'vitest';
import { bearer } from '../test-support.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export async function backtestCall(root: Hono, body: unknown): Promise<Answer> {
  const res = await root.request('/api/rules/backtest', {
    method: 'POST',
    headers: bearer(),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    headers: res.headers,
  };
}

/** One stored decision of the fixture. */
interface Row {
  id: string;
  scoredAt: Date;
  customer: string;
  terminal: string;
  amount: number;
  currency: string | null;
  score: number;
  decision: Decision;
  label: 'fraud' | 'legitimate' | null;
  nbTx1d: number;
  /** Stored active rule hits. */
  rules: { id: string; action: string }[] | null;
  shadowRules: string[] | null;
  rulesetVersion: number;
}

const DAY = 86_400_000;
/** The window the suite backtests; rows outside it must not count. */
export const FROM = new Date('2031-01-10T00:00:00.000Z');
export const TO = new Date('2031-01-15T00:00:00.000Z');

/** A small deterministic generator (mulberry32), so the fixture is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The fixture: 400 decisions from 2 days before the window to 2 days after, over 20 cards and 6
 * terminals; scores decide approve < 0.5 ≤ review < 0.8 ≤ decline; card c_3 is on
 * blocked_customers and c_4 on allowed_customers now, and the decisions of c_3 carry the block
 * rule's hit; terminal t_5 is on the suite's list `watch_terminals` (t_4 too, but expired).
 */
function fixture(run: string): Row[] {
  const next = random(42);
  const rows: Row[] = [];
  const start = FROM.getTime() - 2 * DAY;
  for (let i = 0; i < 400; i++) {
    const customer = `c_${Math.floor(next() * 20)}`;
    const score = Math.round(next() * 1000) / 1000;
    const model: Decision = score >= 0.8 ? 'decline' : score >= 0.5 ? 'review' : 'approve';
    const blocked = customer === 'c_3';
    const allowed = customer === 'c_4';
    const r = next();
    const amount = Math.round(next() * 1_200 * 100) / 100;
    rows.push({
      id: `bt_${run}_${String(i).padStart(4, '0')}`,
      // Spread over 9 days, several rows at the very same instant (keyset pages must not skip).
      scoredAt: new Date(start + Math.floor(i / 3) * Math.floor((9 * DAY) / 134)),
      customer,
      terminal: `t_${Math.floor(next() * 6)}`,
      amount,
      currency: i % 7 === 0 ? 'USD' : i % 11 === 0 ? null : 'EUR',
      score,
      decision: allowed ? 'approve' : blocked ? 'decline' : model,
      label: r < 0.2 ? 'fraud' : r < 0.6 ? 'legitimate' : null,
      nbTx1d: Math.floor(next() * 8),
      rules: blocked
        ? [{ id: 'block_listed_customers', action: 'block' }]
        : allowed
          ? [{ id: 'allow_listed_customers', action: 'allow' }]
          : null,
      // Version 2 has the shadow rule big_amount (amount > 800) — the first half of the rows
      // were decided before it existed (version 1).
      shadowRules: i >= 200 && amount > 800 ? ['big_amount'] : null,
      rulesetVersion: i >= 200 ? 2 : 1,
    });
  }
  return rows;
}

async function insert(sql: Sql, rows: readonly Row[]): Promise<void> {
  const values = rows.map((r) => ({
    transaction_id: r.id,
    event_id: `dec:${r.id}`,
    ts: new Date(r.scoredAt.getTime() - 1_000),
    customer_id: r.customer,
    terminal_id: r.terminal,
    amount: r.amount,
    currency: r.currency,
    score: r.score,
    decision: r.decision,
    reasons: sql.json([]),
    // As the edge writes them: every feature by name (here the ones the suite's rules read).
    features: sql.json({ customer_nb_tx_1d: r.nbTx1d, amount: r.amount }),
    model_version: 'gbdt-suite',
    degraded: false,
    scored_at: r.scoredAt,
    runtime: 'node',
    latency_ms: 1,
    label: r.label,
    rules: r.rules === null ? null : sql.json(r.rules),
    shadow_rules: r.shadowRules,
    ruleset_version: r.rulesetVersion,
  }));
  for (let i = 0; i < values.length; i += 100) {
    const chunk = values.slice(i, i + 100);
    await sql`
      INSERT INTO transactions ${sql(chunk, [
        'transaction_id',
        'event_id',
        'ts',
        'customer_id',
        'terminal_id',
        'amount',
        'currency',
        'score',
        'decision',
        'reasons',
        'features',
        'model_version',
        'degraded',
        'scored_at',
        'runtime',
        'latency_ms',
        'label',
        'rules',
        'shadow_rules',
        'ruleset_version',
      ])}`;
  }
}

const SEVERITY: Record<Decision, number> = { approve: 0, review: 1, decline: 2 };

/** The backtest's answer computed plainly from the fixture. */
function expected(
  rows: readonly Row[],
  matches: (r: Row) => boolean,
  action: 'allow' | 'review' | 'block',
  listed: { blockedCustomers: Set<string>; allowedCustomers: Set<string> },
) {
  const inWindow = rows.filter((r) => r.scoredAt >= FROM && r.scoredAt < TO);
  // The model's own decision, from the fixture's thresholds: for the rows no list decides it is
  // the stored decision; for c_3's and c_4's the lists decide whatever the model said.
  const model = (r: Row): Decision =>
    r.score >= 0.8 ? 'decline' : r.score >= 0.5 ? 'review' : 'approve';
  const outcome = (r: Row, withCandidate: boolean): Decision => {
    const m = withCandidate && matches(r);
    if (listed.allowedCustomers.has(r.customer) || (m && action === 'allow')) return 'approve';
    if (listed.blockedCustomers.has(r.customer) || (m && action === 'block')) return 'decline';
    if (m && SEVERITY[model(r)] < SEVERITY.review) return 'review';
    return model(r);
  };
  const matched = inWindow.filter(matches);
  const sum = (xs: Row[]) => xs.reduce((a, r) => a + r.amount, 0);
  const changes = new Map<string, { count: number; amount: number }>();
  for (const r of matched) {
    const from = outcome(r, false);
    const to = outcome(r, true);
    if (from === to) continue;
    const k = `${from}>${to}`;
    const c = changes.get(k) ?? { count: 0, amount: 0 };
    c.count++;
    c.amount += r.amount;
    changes.set(k, c);
  }
  const days = new Map<string, { evaluated: number; matched: number; matched_fraud: number }>();
  for (const r of inWindow) {
    const d = r.scoredAt.toISOString().slice(0, 10);
    const e = days.get(d) ?? { evaluated: 0, matched: 0, matched_fraud: 0 };
    e.evaluated++;
    if (matches(r)) {
      e.matched++;
      if (r.label === 'fraud') e.matched_fraud++;
    }
    days.set(d, e);
  }
  const newestFirst = (xs: Row[]) =>
    [...xs].sort((a, b) => b.scoredAt.getTime() - a.scoredAt.getTime() || (b.id < a.id ? -1 : 1));
  const examples = [
    ...newestFirst(matched.filter((r) => r.label === 'fraud')),
    ...newestFirst(matched.filter((r) => r.label !== 'fraud')),
  ]
    .slice(0, 20)
    .map((r) => ({
      transaction_id: r.id,
      label: r.label,
      decision: r.decision,
      new_decision: outcome(r, true),
      amount: r.amount,
      currency: r.currency,
      score: r.score,
    }));
  return {
    inWindow,
    counts: {
      evaluated: inWindow.length,
      matched: matched.length,
      matched_fraud: matched.filter((r) => r.label === 'fraud').length,
      matched_legitimate: matched.filter((r) => r.label === 'legitimate').length,
      matched_unlabelled: matched.filter((r) => r.label === null).length,
    },
    amount: {
      matched: sum(matched),
      matched_fraud: sum(matched.filter((r) => r.label === 'fraud')),
      matched_legitimate: sum(matched.filter((r) => r.label === 'legitimate')),
      currencies: [...new Set(matched.map((r) => r.currency))].sort((a, b) =>
        (a ?? '').localeCompare(b ?? ''),
      ),
    },
    changes,
    perDay: [...days.entries()].sort().map(([day, e]) => ({ day, ...e })),
    examples,
  };
}

function expectAnswer(a: BacktestAnswer, e: ReturnType<typeof expected>): void {
  expect(a.window).toEqual({ from: FROM.toISOString(), to: TO.toISOString() });
  expect(a).toMatchObject(e.counts);
  expect(a.amount.matched).toBeCloseTo(e.amount.matched, 6);
  expect(a.amount.matched_fraud).toBeCloseTo(e.amount.matched_fraud, 6);
  expect(a.amount.matched_legitimate).toBeCloseTo(e.amount.matched_legitimate, 6);
  expect(a.amount.currencies).toEqual(e.amount.currencies);
  expect(a.amount.currency_note).toMatch(/mixed currencies .* unconverted/);
  expect(a.decision_changes.map((c) => `${c.from}>${c.to}`).sort()).toEqual(
    [...e.changes.keys()].sort(),
  );
  for (const c of a.decision_changes) {
    const want = e.changes.get(`${c.from}>${c.to}`)!;
    expect(c.count).toBe(want.count);
    expect(c.amount).toBeCloseTo(want.amount, 6);
  }
  expect(a.per_day).toEqual(e.perDay);
  expect(a.examples.map(({ scored_at: _, ...x }) => x)).toEqual(e.examples);
  expect(a.rule_errors).toBe(0);
  expect(typeof a.elapsed_ms).toBe('number');
}

/**
 * Every expectation of the backtest on `root` (the API at /api, backtests reading `sql` in pages
 * of a few rows), with its fixture written to `sql` first. `run` keeps its ids apart.
 */
export async function checkBacktestApi(root: Hono, sql: Sql, run: string): Promise<void> {
  const rows = fixture(run);
  await insert(sql, rows);
  await sql`INSERT INTO list_items (list, value, added_by, added_at) VALUES
    ('blocked_customers', 'c_3', 'suite', now()), ('allowed_customers', 'c_4', 'suite', now())
    ON CONFLICT DO NOTHING`;
  await sql`INSERT INTO lists (name, kind, created_by) VALUES ('watch_terminals', 'terminal_id', 'suite')`;
  await sql`INSERT INTO list_items (list, value, added_by, added_at, expires_at, removed_at) VALUES
    ('watch_terminals', 't_5', 'suite', now(), NULL, NULL),
    ('watch_terminals', 't_4', 'suite', now(), now() - interval '1 day', NULL),
    ('watch_terminals', 't_2', 'suite', now(), NULL, now())`;
  const listed = { blockedCustomers: new Set(['c_3']), allowedCustomers: new Set(['c_4']) };
  const window = { from: FROM.toISOString(), to: TO.toISOString() };

  // A typical rule: an amount and a feature, as review.
  const typical = await backtestCall(root, {
    expression: 'tx.amount > 500.0 && features.customer_nb_tx_1d > 3.0',
    action: 'review',
    ...window,
  });
  expect(typical.status).toBe(200);
  const want = expected(rows, (r) => r.amount > 500 && r.nbTx1d > 3, 'review', listed);
  // The fixture is meant to exercise every part of the answer: check it does.
  expect(want.counts.matched_fraud).toBeGreaterThan(0);
  expect(want.changes.size).toBeGreaterThan(0);
  expect(want.inWindow.length).toBeLessThan(rows.length);
  expectAnswer(typical.body as unknown as BacktestAnswer, want);
  expect(typical.body.shadow).toBeUndefined();
  expect(typical.body.velocity_from).toBeNull();
  expect(typical.body.velocity_read_by).toEqual({ candidate: false, rules: [] });

  // A rule reading a list as it is now (t_4's item expired, t_2's removed): block.
  const listRule = await backtestCall(root, {
    expression: 'in_list("watch_terminals", tx.terminal_id)',
    action: 'block',
    ...window,
  });
  expect(listRule.status).toBe(200);
  expectAnswer(
    listRule.body as unknown as BacktestAnswer,
    expected(rows, (r) => r.terminal === 't_5', 'block', listed),
  );

  // An allow rule on the hour of the event time (UTC): beats the block list.
  const hourRule = await backtestCall(root, {
    expression: 'tx.hour < 6',
    action: 'allow',
    ...window,
  });
  expect(hourRule.status).toBe(200);
  expectAnswer(
    hourRule.body as unknown as BacktestAnswer,
    expected(
      rows,
      (r) => new Date(r.scoredAt.getTime() - 1_000).getUTCHours() < 6,
      'allow',
      listed,
    ),
  );

  // A shadow rule: published in shadow (version 2), backtested by id → its live counts beside.
  const shadow = await root.request('/api/rules', {
    method: 'POST',
    headers: bearer(),
    body: JSON.stringify({
      id: 'big_amount',
      name: 'Big amounts',
      expression: 'tx.amount > 800.0',
      action: 'review',
      mode: 'shadow',
    }),
  });
  expect(shadow.status).toBe(201);
  const compared = await backtestCall(root, {
    expression: 'tx.amount > 800.0',
    action: 'review',
    rule_id: 'big_amount',
    ...window,
  });
  expect(compared.status).toBe(200);
  const big = expected(rows, (r) => r.amount > 800, 'review', listed);
  expectAnswer(compared.body as unknown as BacktestAnswer, big);
  const live = big.inWindow.filter((r) => r.rulesetVersion === 2);
  const liveMatched = live.filter((r) => r.shadowRules?.includes('big_amount'));
  expect(liveMatched.length).toBeGreaterThan(0);
  expect(compared.body.shadow).toEqual({
    rule_id: 'big_amount',
    evaluated: live.length,
    matched: liveMatched.length,
    matched_fraud: liveMatched.filter((r) => r.label === 'fraud').length,
    matched_legitimate: liveMatched.filter((r) => r.label === 'legitimate').length,
    matched_unlabelled: liveMatched.filter((r) => r.label === null).length,
  });

  // An empty window → zeros, not an error.
  const empty = await backtestCall(root, {
    expression: 'tx.amount > 500.0',
    action: 'block',
    from: '2001-01-01T00:00:00Z',
    to: '2001-01-02T00:00:00Z',
  });
  expect(empty.status).toBe(200);
  expect(empty.body).toMatchObject({
    evaluated: 0,
    matched: 0,
    matched_fraud: 0,
    matched_legitimate: 0,
    matched_unlabelled: 0,
    amount: { matched: 0, matched_fraud: 0, matched_legitimate: 0, currencies: [] },
    decision_changes: [],
    per_day: [],
    examples: [],
  });
}

/** Bad input → 400 problem+json naming the field; `position` for a bad expression. */
export const BAD_BACKTESTS: readonly [string, unknown, string, RegExp?][] = [
  ['syntax error', { expression: 'tx.amount >', action: 'block' }, '/expression', /position \d+/],
  ['not a bool', { expression: 'tx.amount', action: 'block' }, '/expression', /bool/],
  [
    'unknown list',
    { expression: 'in_list("nope", tx.customer_id)', action: 'block' },
    '/expression',
    /unknown list/,
  ],
  ['no expression', { action: 'block' }, '/expression'],
  ['empty expression', { expression: '', action: 'block' }, '/expression'],
  ['bad action', { expression: 'true', action: 'deny' }, '/action'],
  ['bad from', { expression: 'true', action: 'block', from: 'yesterday' }, '/from'],
  ['bad to', { expression: 'true', action: 'block', to: '2031-02-30T00:00:00Z' }, '/to'],
  [
    'to past year 9999',
    { expression: 'true', action: 'block', to: '9999-12-31T23:59:59-10:00' },
    '/to',
  ],
  [
    'from after to',
    {
      expression: 'true',
      action: 'block',
      from: '2031-01-02T00:00:00Z',
      to: '2031-01-01T00:00:00Z',
    },
    '/from',
  ],
  ['bad rule_id', { expression: 'true', action: 'block', rule_id: 'Not An Id' }, '/rule_id'],
  ['unknown field', { expression: 'true', action: 'block', mode: 'shadow' }, '/mode'],
  ['not an object', [1, 2], ''],
  ['NUL in expression', { expression: 'true\u0000', action: 'block' }, '/expression'],
];

/**
 * A rule reading velocity: the counters are recomputed from the stored transactions in event-time
 * order, from 30 days before the window — checked against a plain count of distinct cards per
 * device within the 24 h before each transaction (itself included), over rows of a window of its
 * own (February 2031) that start before it.
 */
export async function checkVelocityBacktest(root: Hono, sql: Sql, run: string): Promise<void> {
  const next = random(7);
  const from = new Date('2031-02-10T00:00:00.000Z');
  const to = new Date('2031-02-12T00:00:00.000Z');
  const rows = Array.from({ length: 90 }, (_, i) => {
    // Three days from a day before the window: the first day's transactions count, unjudged.
    const ts = new Date(from.getTime() - DAY + Math.floor(next() * 3 * DAY));
    return {
      id: `vel_${run}_${String(i).padStart(3, '0')}`,
      ts,
      customer: `vc_${Math.floor(next() * 8)}`,
      device: next() < 0.15 ? null : `dev_${Math.floor(next() * 12)}`,
      label: next() < 0.3 ? ('fraud' as const) : null,
    };
  });
  await sql`
    INSERT INTO transactions ${sql(
      rows.map((r) => ({
        transaction_id: r.id,
        event_id: `dec:${r.id}`,
        ts: r.ts,
        customer_id: r.customer,
        terminal_id: 't_v',
        amount: 10,
        currency: 'EUR',
        device_id: r.device,
        score: 0.1,
        decision: 'approve',
        reasons: sql.json([]),
        features: sql.json({}),
        model_version: 'gbdt-suite',
        degraded: false,
        // Scored a second after the event: the window is on scored_at.
        scored_at: new Date(r.ts.getTime() + 1_000),
        runtime: 'node',
        latency_ms: 1,
        label: r.label,
      })),
    )}`;
  // Plainly: distinct cards on the device among the transactions up to this one (event time,
  // then id) within the 24 h before it.
  const order = (a: (typeof rows)[number], b: (typeof rows)[number]) =>
    a.ts.getTime() - b.ts.getTime() || (a.id < b.id ? -1 : 1);
  const cards = (r: (typeof rows)[number]) =>
    r.device === null
      ? 0
      : new Set(
          rows
            .filter(
              (o) =>
                o.device === r.device &&
                (o === r || order(o, r) < 0) &&
                o.ts.getTime() > r.ts.getTime() - DAY,
            )
            .map((o) => o.customer),
        ).size;
  const inWindow = rows.filter((r) => {
    const scored = r.ts.getTime() + 1_000;
    return scored >= from.getTime() && scored < to.getTime();
  });
  const matched = inWindow.filter((r) => cards(r) >= 3);
  expect(matched.length).toBeGreaterThan(0);
  expect(matched.length).toBeLessThan(inWindow.length);

  const a = await backtestCall(root, {
    expression: 'velocity.device_customers_24h >= 3.0',
    action: 'review',
    from: from.toISOString(),
    to: to.toISOString(),
  });
  expect(a.status).toBe(200);
  expect(a.body).toMatchObject({
    evaluated: inWindow.length,
    matched: matched.length,
    matched_fraud: matched.filter((r) => r.label === 'fraud').length,
    matched_unlabelled: matched.filter((r) => r.label === null).length,
  });
  const earliest = Math.min(...inWindow.map((r) => r.ts.getTime()));
  expect(Date.parse(a.body.velocity_from as string)).toBe(earliest - 30 * DAY - 1);
  expect(a.body.velocity_read_by).toMatchObject({ candidate: true });
  const shown = (a.body.examples as { transaction_id: string }[]).map((e) => e.transaction_id);
  for (const id of shown) expect(matched.map((r) => r.id)).toContain(id);
}
