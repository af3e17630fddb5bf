/**
 * The edge and Postgres keep the same verdict in force (issue 13, verdicts out of order): core's
 * verdictTimeUs reads a verdict time to the microsecond Postgres stores, and the label the
 * consumer keeps (the latest by (ts, event_id)) is the one core's verdictSupersedes leaves in
 * force when the verdicts arrive in any order. Run against PGlite (event-store.test.ts) and a
 * real PostgreSQL 15 (backplane/test/verdict-order.test.ts).
 */
import { verdictSupersedes, verdictTimeUs, type VerdictInForce } from '@vigil/core';
import fc from 'fast-check';
import type { Sql } from 'postgres';
import { expect } from 'vitest';
import { decisionEvent, feedbackEvent } from '../../testing/fixtures.js';
import { writeEvents } from './event-store.js';

/** Fractions with up to nine digits, half-microsecond ties included. */
const fraction = fc.oneof(
  fc.constant(''),
  fc.stringMatching(/^\.\d{1,9}$/),
  fc.stringMatching(/^\.\d{0,5}[05]5$/),
  fc.constantFrom('.0000005', '.0000015', '.9999995', '.0000004', '.0000001'),
);

/** A verdict time in UTC, as the edge hands it on: 1970 up to now, within a few seconds' spread. */
const verdictTime = (base: number) =>
  fc
    .tuple(fc.integer({ min: 0, max: 3 }), fraction)
    .map(([s, f]) => `${new Date(base + s * 1000).toISOString().slice(0, 19)}${f}Z`);

/** Checks core's microseconds against Postgres' for `n` generated times. */
export async function checkVerdictMicroseconds(sql: Sql, n: number): Promise<void> {
  const times = fc.sample(
    fc.integer({ min: 0, max: Math.floor(Date.now() / 1000) }).chain((s) => verdictTime(s * 1000)),
    { numRuns: n, seed: 13 },
  );
  const rows = await sql<{ t: string; us: string }[]>`
    SELECT t, (extract(epoch FROM t::timestamptz) * 1000000)::bigint::text AS us
      FROM unnest(${times}::text[]) AS t`;
  expect(rows).toHaveLength(n);
  for (const r of rows) expect(verdictTimeUs(r.t), r.t).toBe(Number(r.us));
}

/**
 * Writes `runs` transactions, each with 2–4 verdicts close in time delivered one batch at a time
 * in generated order, and checks the label Postgres keeps against core's rule applied in that
 * order (what the edge does). Returns how many verdicts arrived after a later one with another
 * label (which arrival order would have got wrong), and how many of them tied in time.
 */
export async function checkVerdictOrder(
  sql: Sql,
  run: string,
  runs: number,
): Promise<{ late: number; ties: number }> {
  const base = Date.UTC(2026, 0, 1, 12);
  const verdicts = fc.array(
    fc.record({
      label: fc.constantFrom('fraud' as const, 'legitimate' as const),
      timestamp: verdictTime(base),
    }),
    { minLength: 2, maxLength: 4 },
  );
  const cases = fc.sample(verdicts, { numRuns: runs, seed: 1_204 });
  let late = 0;
  let ties = 0;
  for (let i = 0; i < cases.length; i++) {
    await writeEvents(sql, [decisionEvent(i, run)]);
    let edge: VerdictInForce;
    for (const v of cases[i]!) {
      await writeEvents(sql, [feedbackEvent(i, v.label, v.timestamp, run)]);
      const next = { label: v.label, timeUs: verdictTimeUs(v.timestamp) };
      if (verdictSupersedes(edge, next)) edge = next;
      else if (edge && edge.label !== next.label) {
        late++;
        if (edge.timeUs === next.timeUs) ties++;
      }
    }
    const [row] = await sql<{ label: string }[]>`
      SELECT label FROM transactions WHERE transaction_id = ${`tx_${run}_${i}`}`;
    expect(row?.label, JSON.stringify(cases[i])).toBe(edge?.label);
  }
  return { late, ties };
}
