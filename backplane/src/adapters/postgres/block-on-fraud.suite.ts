/**
 * A confirmed fraud blocks the card, through the consumer's write (event-store.ts): run on PGlite
 * (event-store.test.ts) and on PostgreSQL 15 (backplane/test/rules-lists.test.ts). `run` keeps the
 * suite's transactions and cards apart from the rest of the database.
 */
import type { Sql } from 'postgres';
import { expect } from 'vitest';
import { decisionEvent, feedbackEvent } from '../../testing/fixtures.js';
import { writeEvents } from './event-store.js';

const DAY_MS = 86_400_000;

async function item(sql: Sql, card: string) {
  const [row] = await sql`
    SELECT reason, expires_at, added_by, removed_at, seq::text AS seq FROM list_items
    WHERE list = 'blocked_customers' AND value = ${card}`;
  return row;
}

async function audits(sql: Sql, card: string) {
  return sql`SELECT actor, action, before, after FROM audit_log
             WHERE target = ${'list:blocked_customers:' + card} ORDER BY id`;
}

/** Every expectation of block-on-fraud, on the database `sql` (migrated). */
export async function checkBlockOnFraud(sql: Sql, run: string): Promise<void> {
  const d = (i: number) => {
    const e = decisionEvent(i, run);
    return { ...e, transaction: { ...e.transaction, customer_id: `c_${run}_${i}` } };
  };
  const ts = '2018-08-20T00:00:00Z';
  await writeEvents(sql, [d(1), d(2), d(3), d(4)]);

  // 1. A fraud verdict from the API blocks its transaction's card for the configured days, with
  //    its reason and an audit row; a redelivery changes nothing.
  const fraud1 = feedbackEvent(1, 'fraud', ts, run);
  const t0 = Date.now();
  const r = await writeEvents(sql, [fraud1], undefined, { blockOnFraudDays: 90 });
  expect(r.cardsBlocked).toBe(1);
  const it1 = await item(sql, `c_${run}_1`);
  expect(it1?.reason).toBe(`confirmed fraud on tx_${run}_1`);
  expect(it1?.added_by).toBe('system:feedback');
  expect(it1?.removed_at).toBeNull();
  const expiry = (it1?.expires_at as Date).getTime();
  expect(expiry).toBeGreaterThanOrEqual(t0 + 90 * DAY_MS - 60_000);
  expect(expiry).toBeLessThanOrEqual(Date.now() + 90 * DAY_MS + 60_000);
  const a1 = await audits(sql, `c_${run}_1`);
  expect(a1).toHaveLength(1);
  expect(a1[0]).toMatchObject({ actor: 'system:feedback', action: 'list.item.add', before: null });
  expect((a1[0]!.after as { expires_at: string }).expires_at).toBe(
    (it1?.expires_at as Date).toISOString(),
  );
  expect(a1[0]!.after).toMatchObject({
    value: `c_${run}_1`,
    reason: `confirmed fraud on tx_${run}_1`,
  });
  const again = await writeEvents(sql, [fraud1], undefined, { blockOnFraudDays: 90 });
  expect(again).toMatchObject({ feedbackInserted: 0, cardsBlocked: 0 });
  expect(await audits(sql, `c_${run}_1`)).toHaveLength(1);

  // 2. A legitimate verdict later does not unblock; an analyst's fraud verdict blocks too, and a
  //    verdict landing in the same batch as its decision finds the card there.
  await writeEvents(sql, [feedbackEvent(1, 'legitimate', '2018-08-21T00:00:00Z', run)], undefined, {
    blockOnFraudDays: 90,
  });
  expect((await item(sql, `c_${run}_1`))?.removed_at).toBeNull();
  const analyst = {
    ...feedbackEvent(2, 'fraud', ts, run),
    source: 'analyst' as const,
    actor: 'Ada',
  };
  const withDecision = [d(5), feedbackEvent(5, 'fraud', ts, run), analyst];
  expect(
    (await writeEvents(sql, withDecision, undefined, { blockOnFraudDays: 30 })).cardsBlocked,
  ).toBe(2);
  expect(await item(sql, `c_${run}_2`)).toBeDefined();
  expect(await item(sql, `c_${run}_5`)).toBeDefined();

  // 3. Two frauds of one card in one batch: one item, one audit row (never two changes of a row).
  const twice = [
    feedbackEvent(3, 'fraud', ts, run),
    { ...feedbackEvent(3, 'fraud', ts, run), event_id: `fb:${run}:3:b` },
  ];
  expect((await writeEvents(sql, twice, undefined, { blockOnFraudDays: 90 })).cardsBlocked).toBe(1);
  expect(await audits(sql, `c_${run}_3`)).toHaveLength(1);

  // 4. A card blocked for ever keeps its item; 0 days blocks nothing.
  await sql`INSERT INTO list_items (list, value, reason, expires_at, added_by, added_at)
            VALUES ('blocked_customers', ${`c_${run}_4`}, 'by hand', NULL, 'Ada', now())`;
  const seqBefore = String((await item(sql, `c_${run}_4`))?.seq);
  expect(
    (
      await writeEvents(sql, [feedbackEvent(4, 'fraud', ts, run)], undefined, {
        blockOnFraudDays: 90,
      })
    ).cardsBlocked,
  ).toBe(0);
  expect(await item(sql, `c_${run}_4`)).toMatchObject({
    reason: 'by hand',
    expires_at: null,
    seq: seqBefore,
  });
  await writeEvents(sql, [d(6), feedbackEvent(6, 'fraud', ts, run)], undefined, {
    blockOnFraudDays: 0,
  });
  expect(await item(sql, `c_${run}_6`)).toBeUndefined();

  // 5. A removed (tombstoned) card is blocked again by a new fraud, with a new seq.
  await sql`UPDATE list_items SET removed_at = now(), removed_by = 'Ada', seq = nextval('list_items_seq')
            WHERE list = 'blocked_customers' AND value = ${`c_${run}_6`}`;
  await sql`INSERT INTO list_items (list, value, reason, added_by, added_at, removed_at)
            VALUES ('blocked_customers', ${`c_${run}_7`}, 'old', 'Ada', now(), now())`;
  await writeEvents(sql, [d(7)]);
  const tomb = await item(sql, `c_${run}_7`);
  await writeEvents(sql, [feedbackEvent(7, 'fraud', ts, run)], undefined, { blockOnFraudDays: 90 });
  const revived = await item(sql, `c_${run}_7`);
  expect(revived?.removed_at).toBeNull();
  expect(BigInt(String(revived?.seq))).toBeGreaterThan(BigInt(String(tomb?.seq)));

  // 6. A fraud on an allowed card: blocked, and taken off allowed_customers (whose rule outranks
  //    the block), audited as system:feedback, in the same write; a tombstone with a newer seq.
  const allowed = `c_${run}_8`;
  await sql`INSERT INTO list_items (list, value, reason, expires_at, added_by, added_at)
            VALUES ('allowed_customers', ${allowed}, 'VIP', NULL, 'Ada', now())`;
  const [allowedBefore] = await sql`SELECT seq::text AS seq FROM list_items
            WHERE list = 'allowed_customers' AND value = ${allowed}`;
  await writeEvents(sql, [d(8), feedbackEvent(8, 'fraud', ts, run)], undefined, {
    blockOnFraudDays: 90,
  });
  expect((await item(sql, allowed))?.removed_at).toBeNull();
  const [off] = await sql`SELECT removed_at, removed_by, seq::text AS seq FROM list_items
            WHERE list = 'allowed_customers' AND value = ${allowed}`;
  expect(off?.removed_by).toBe('system:feedback');
  expect(off?.removed_at).toBeInstanceOf(Date);
  expect(BigInt(String(off?.seq))).toBeGreaterThan(BigInt(String(allowedBefore?.seq)));
  const offAudit = await sql`SELECT actor, action, before, after FROM audit_log
            WHERE target = ${'list:allowed_customers:' + allowed} ORDER BY id`;
  expect(offAudit).toHaveLength(1);
  expect(offAudit[0]).toMatchObject({
    actor: 'system:feedback',
    action: 'list.item.remove',
    before: { value: allowed, reason: 'VIP', expires_at: null, added_by: 'Ada' },
    after: null,
  });
  // A redelivery changes nothing; a legitimate verdict takes no card off the list.
  await writeEvents(sql, [feedbackEvent(8, 'fraud', ts, run)], undefined, { blockOnFraudDays: 90 });
  const [still] = await sql`SELECT seq::text AS seq FROM list_items
            WHERE list = 'allowed_customers' AND value = ${allowed}`;
  expect(still?.seq).toBe(off?.seq);
  const kept = `c_${run}_9`;
  await sql`INSERT INTO list_items (list, value, reason, expires_at, added_by, added_at)
            VALUES ('allowed_customers', ${kept}, 'VIP', NULL, 'Ada', now())`;
  await writeEvents(sql, [d(9), feedbackEvent(9, 'legitimate', ts, run)], undefined, {
    blockOnFraudDays: 90,
  });
  const [keptRow] = await sql`SELECT removed_at FROM list_items
            WHERE list = 'allowed_customers' AND value = ${kept}`;
  expect(keptRow?.removed_at).toBeNull();
}
