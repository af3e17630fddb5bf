/**
 * The rule "whatever core's event schemas accept, Postgres stores", as a property over generated
 * events: odd transactions as the edge hands them on (core's transaction schema, time in UTC) in
 * decision events with hostile text and extreme numbers everywhere, and verdicts the same. Every
 * event validateEvent accepts is written through writeEvents as the consumer writes it — one
 * statement per batch, so one unstorable event would fail the whole batch — and then read back.
 * Run against a real PostgreSQL (backplane/test) and PGlite (event-store.test.ts).
 */
import { validateEvent, validateTransaction, type VigilEvent } from '@vigil/core';
import { oddDecisionEvent, oddFeedbackEvent, oddTransaction } from '@vigil/core/testing';
import fc from 'fast-check';
import type { Sql } from 'postgres';
import { expect } from 'vitest';
import { writeEvents } from './event-store.js';

export interface StorableRun {
  /** Events generated, and how many of them core's schemas refused. */
  readonly generated: number;
  readonly refused: number;
}

/** Check the property with `numRuns` batches of up to 12 transactions, each with a verdict. */
export async function checkStorableEvents(sql: Sql, run: string, numRuns: number) {
  const now = Date.now();
  let n = 0;
  let generated = 0;
  let refused = 0;
  const pair = oddTransaction(now, 'x').chain((raw) => {
    // The edge hands on what core's schema made of the request (its time in UTC).
    const v = validateTransaction(raw);
    if (!v.ok) throw new Error(`an odd transaction was refused: ${JSON.stringify(v.issues)}`);
    const id = `${run}${++n}_${v.value.transaction_id}`.slice(0, 128);
    const tx = { ...v.value, transaction_id: id };
    return fc.tuple(oddDecisionEvent(now, tx), oddFeedbackEvent(now, id));
  });
  await fc.assert(
    fc.asyncProperty(fc.array(pair, { minLength: 1, maxLength: 12 }), async (pairs) => {
      const events: VigilEvent[] = [];
      for (const [d, f] of pairs) {
        // Unique verdict ids (the table's key), their odd text kept.
        for (const e of [d, { ...f, event_id: `${f.event_id}#${++n}` }]) {
          generated++;
          if (validateEvent(e).ok) events.push(e);
          else refused++;
        }
      }
      if (events.length === 0) return;
      await writeEvents(sql, events);
      await expectStored(sql, events);
    }),
    { numRuns },
  );
  return { generated, refused } satisfies StorableRun;
}

/** Every event is in its table, its values as sent. */
async function expectStored(sql: Sql, events: readonly VigilEvent[]): Promise<void> {
  const decisions = events.filter((e) => e.type === 'decision');
  const verdicts = events.filter((e) => e.type === 'feedback');
  const txRows = await sql<
    { transaction_id: string; ts: Date; amount: number; model_version: string }[]
  >`
    SELECT transaction_id, ts, amount, model_version FROM transactions
     WHERE transaction_id = ANY(${decisions.map((d) => d.transaction.transaction_id)}::text[])`;
  const byId = new Map(txRows.map((r) => [r.transaction_id, r]));
  for (const d of decisions) {
    const row = byId.get(d.transaction.transaction_id);
    expect(row, d.transaction.transaction_id).toBeDefined();
    // -0 is stored as 0 (JSON.stringify writes it so); every other amount exactly.
    expect(row!.amount).toBe(d.transaction.amount === 0 ? 0 : d.transaction.amount);
    expect(row!.model_version).toBe(d.model_version);
    // Postgres keeps microseconds, the Date milliseconds: within one of the time sent.
    expect(Math.abs(row!.ts.getTime() - Date.parse(d.transaction.timestamp))).toBeLessThanOrEqual(
      1,
    );
  }
  const fbRows = await sql<{ event_id: string; ts: Date; actor: string | null }[]>`
    SELECT event_id, ts, actor FROM feedback WHERE event_id = ANY(${verdicts.map((f) => f.event_id)}::text[])`;
  const fbById = new Map(fbRows.map((r) => [r.event_id, r]));
  for (const f of verdicts) {
    const row = fbById.get(f.event_id);
    expect(row, JSON.stringify(f.event_id)).toBeDefined();
    expect(row!.actor).toBe(f.actor ?? null);
    expect(Math.abs(row!.ts.getTime() - Date.parse(f.timestamp))).toBeLessThanOrEqual(1);
  }
}
