/**
 * Migration 012's feature_vector, on any Postgres (feature-vector.test.ts runs it on PGlite,
 * backplane/test/feature-vector.test.ts on PostgreSQL 15): the consumer writes each decision's features as
 * big-endian doubles in FEATURE_NAMES order; the migration's backfill fills the rows stored before it, and
 * leaves NULL those whose json the backtest could not have cast; and a backtest counts the same
 * whether it reads the vector, the json (rows without a vector) or both — and the same as a
 * recount done here by hand from the events written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURE_NAMES, type DecisionEventV1 } from '@vigil/core';
import type { Sql } from 'postgres';
import { expect } from 'vitest';
import { writeEvents } from '../../adapters/postgres/event-store.js';
import { MIGRATIONS_DIR } from '../../adapters/postgres/migrate.js';
import { decisionEvent } from '../../testing/fixtures.js';
import { apiHarness, bearer } from '../test-support.js';

const NOW = new Date('2032-06-20T00:00:00.000Z');
const FROM = '2032-06-01T00:00:00.000Z';
const TO = '2032-06-11T00:00:00.000Z';
const MIGRATION = readFileSync(join(MIGRATIONS_DIR, '012_feature_vector.sql'), 'utf8');

/** Decision `i` of `run`: its own amount and features, scored in the window (else before it). */
function decision(
  i: number,
  run: string,
  features: Record<string, number>,
  inWindow = true,
): DecisionEventV1 {
  const base = decisionEvent(i, run);
  return {
    ...base,
    transaction: { ...base.transaction, amount: 100 + ((i * 37) % 900) + 0.25 },
    features,
    scored_at: new Date(Date.parse(FROM) + (inWindow ? 1 : -1) * i * 61_000).toISOString(),
  };
}

/** Every feature named, each a different double (some needing all 17 digits). */
function featuresOf(i: number): Record<string, number> {
  return Object.fromEntries(
    FEATURE_NAMES.map((name, k) => [
      name,
      name === 'customer_nb_tx_1d' ? i % 7 : Math.sin(i * 31 + k) * 10 ** ((k % 5) - 2),
    ]),
  );
}

/** The stored vector as numbers (an absent feature, NaN, as null), or null when there is none. */
async function vectorOf(sql: Sql, id: string): Promise<(number | null)[] | null> {
  const [r] = await sql<{ v: Buffer | null }[]>`
    SELECT feature_vector AS v FROM transactions WHERE transaction_id = ${id}`;
  const v = r!.v;
  if (v === null) return null;
  expect(v.length).toBe(FEATURE_NAMES.length * 8);
  return FEATURE_NAMES.map((_, i) => {
    const x = v.readDoubleBE(i * 8);
    return Number.isNaN(x) ? null : x;
  });
}

/** The consumer writes the vector in FEATURE_NAMES order, an absent feature as NaN. */
export async function checkConsumerVector(sql: Sql): Promise<void> {
  const full = featuresOf(3);
  const partial: Record<string, number> = { ...full, amount_zscore_30d: 1e-300 };
  delete partial.hour_of_day;
  const events = [decision(1, 'fvw', full, false), decision(2, 'fvw', partial, false)];
  expect((await writeEvents(sql, events)).decisionsInserted).toBe(2);
  expect(await vectorOf(sql, 'tx_fvw_1')).toEqual(FEATURE_NAMES.map((n) => full[n]));
  expect(await vectorOf(sql, 'tx_fvw_2')).toEqual(FEATURE_NAMES.map((n) => partial[n] ?? null));
}

/** Migration 012's backfill fills it from the json, except for rows the json path cannot cast. */
export async function checkBackfill(sql: Sql): Promise<void> {
  // The migration's names are core's: a position means the same feature on both sides.
  const listed = /unnest\(ARRAY\[([\s\S]*?)\]\)/.exec(MIGRATION)![1]!;
  expect([...listed.matchAll(/'([a-z0-9_]+)'/g)].map((m) => m[1])).toEqual([...FEATURE_NAMES]);

  const rows: [string, string][] = [
    ['ok', '{"customer_nb_tx_1d": 4, "amount": 12.5, "hour_of_day": null}'],
    ['text', '{"customer_nb_tx_1d": "4"}'],
    ['underflow', '{"customer_nb_tx_1d": 4, "amount": 1e-400}'],
    ['twice', '{"customer_nb_tx_1d": 4, "customer_nb_tx_1d": 5}'],
  ];
  for (const [name, features] of rows) {
    await sql`
      INSERT INTO transactions (transaction_id, event_id, ts, customer_id, terminal_id, amount,
        score, decision, reasons, features, model_version, degraded, scored_at, runtime,
        latency_ms)
      VALUES (${'tx_bf_' + name}, ${'dec:tx_bf_' + name}, ${NOW}, 'c_1', 't_1', 1, 0.1,
        'approve', '[]', ${features}::text::json, 'gbdt-test', false, ${NOW}, 'node', 1)`;
  }
  await sql.unsafe(MIGRATION.replace(/ALTER TABLE transactions ADD COLUMN[^;]*;/, ''));
  const expected = FEATURE_NAMES.map((n) =>
    n === 'customer_nb_tx_1d' ? 4 : n === 'amount' ? 12.5 : null,
  );
  expect(await vectorOf(sql, 'tx_bf_ok')).toEqual(expected);
  for (const name of ['text', 'underflow', 'twice'])
    expect(await vectorOf(sql, `tx_bf_${name}`)).toBe(null);
}

/** A backtest counts the same from the vector as from the json, and as a recount by hand. */
export async function checkVectorBacktest(sql: Sql): Promise<void> {
  const n = 400;
  const events = Array.from({ length: n }, (_, i) => decision(i, 'fvb', featuresOf(i)));
  await writeEvents(sql, events);
  const h = apiHarness(sql, {
    now: () => NOW,
    backtest: { sql: sql, timeoutMs: 60_000, pageRows: 9 },
  });
  const backtest = async () => {
    const res = await h.root.request('/api/rules/backtest', {
      method: 'POST',
      headers: bearer(),
      body: JSON.stringify({
        expression: 'tx.amount > 500.0 && features.customer_nb_tx_1d > 3.0',
        action: 'review',
        from: FROM,
        to: TO,
      }),
    });
    expect(res.status).toBe(200);
    const { elapsed_ms: _, ...body } = (await res.json()) as Record<string, unknown>;
    return body;
  };
  // By hand, from the events: the rows of this run are the only ones in the window.
  const matched = events.filter(
    (e) => e.transaction.amount > 500 && e.features.customer_nb_tx_1d! > 3,
  );
  const fromVector = await backtest();
  expect(fromVector).toMatchObject({
    evaluated: n,
    matched: matched.length,
    matched_unlabelled: matched.length,
    amount: { matched: matched.reduce((s, e) => s + e.transaction.amount, 0) },
  });
  expect(matched.length).toBeGreaterThan(20);

  // Half the rows without a vector (as rows written before migration 012), then all of them.
  await sql`UPDATE transactions SET feature_vector = NULL
               WHERE transaction_id LIKE 'tx_fvb_%' AND right(transaction_id, 1) IN ('1', '3', '5')`;
  expect(await backtest()).toEqual(fromVector);
  await sql`UPDATE transactions SET feature_vector = NULL WHERE transaction_id LIKE 'tx_fvb_%'`;
  expect(await backtest()).toEqual(fromVector);
}
