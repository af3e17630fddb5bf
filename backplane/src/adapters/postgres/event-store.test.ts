import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionEvent, feedbackEvent } from '../../testing/fixtures.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-pglite.js';
import { writeEvents } from './event-store.js';
import { migrate, readMigrations } from './migrate.js';
import { checkBlockOnFraud } from './block-on-fraud.suite.js';
import { checkStorableEvents } from './storable-events.suite.js';
import { checkVerdictMicroseconds, checkVerdictOrder } from './verdict-order.suite.js';

let pg: EmbeddedPostgres;
let sql: Sql;

beforeAll(async () => {
  pg = await startEmbeddedPostgres('memory');
  sql = postgres(pg.url, { max: 1, onnotice: () => undefined });
  await migrate(sql);
});

afterAll(async () => {
  await sql.end();
  await pg.close();
});

async function count(table: string, run: string): Promise<number> {
  const [r] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM ${sql(table)} WHERE transaction_id LIKE ${`tx_${run}_%`}`;
  return r!.n;
}

describe('writeEvents on PGlite', () => {
  it('stores every event core accepts, with its values (storable-events.suite.ts)', async () => {
    const r = await checkStorableEvents(sql, 'pgl', 60);
    // The generator reaches both sides of the rule: some hostile text and offsets are refused.
    expect(r.refused).toBeGreaterThan(0);
    expect(r.refused).toBeLessThan(r.generated);
  });

  it('stores a review whose score × amount is below float8 (the case risk would underflow)', async () => {
    // A valid event the consumer once could not store: Postgres refuses 5e-324 × 4.8e-211
    // ("value out of range: underflow"), and the whole batch with it.
    const base = decisionEvent(1, 'tiny');
    const d = {
      ...base,
      transaction: { ...base.transaction, amount: 4.8e-211 },
      score: 5e-324,
      decision: 'review' as const,
    };
    const r = await writeEvents(sql, [d, decisionEvent(2, 'tiny')]);
    expect(r.decisionsInserted).toBe(2);
    const [c] = await sql<{ risk: number; score: number }[]>`
      SELECT risk, score FROM cases WHERE transaction_id = ${d.transaction.transaction_id}`;
    expect(c).toEqual({ risk: 0, score: 5e-324 });
  });

  it('puts the card of a confirmed fraud on blocked_customers (block-on-fraud.suite.ts)', async () => {
    await checkBlockOnFraud(sql, 'bof');
  });

  it('writes a batch once, however often it is delivered', async () => {
    const events = Array.from({ length: 25 }, (_, i) => decisionEvent(i, 'idem'));
    const first = await writeEvents(sql, events);
    expect(first).toEqual({
      decisionsInserted: 25,
      feedbackInserted: 0,
      casesOpened: 10,
      cardsBlocked: 0,
    });
    // Redelivered whole, then again within a bigger batch with repeats.
    const again = await writeEvents(sql, events);
    expect(again).toEqual({
      decisionsInserted: 0,
      feedbackInserted: 0,
      casesOpened: 0,
      cardsBlocked: 0,
    });
    const more = [...events, decisionEvent(25, 'idem'), decisionEvent(25, 'idem')];
    expect((await writeEvents(sql, more)).decisionsInserted).toBe(1);
    expect(await count('transactions', 'idem')).toBe(26);
    expect(await count('cases', 'idem')).toBe(10);
  });

  it('opens no case for a second, different decision of a stored transaction', async () => {
    const approve = decisionEvent(0, 'rescored'); // i % 3 === 0: approve
    expect(approve.decision).toBe('approve');
    await writeEvents(sql, [approve]);
    // The same transaction scored again by an edge that forgot its first answer.
    const decline = { ...approve, decision: 'decline' as const, score: 0.9 };
    expect(await writeEvents(sql, [decline])).toEqual({
      decisionsInserted: 0,
      feedbackInserted: 0,
      casesOpened: 0,
      cardsBlocked: 0,
    });
    expect(await count('cases', 'rescored')).toBe(0);
  });

  it('stores every field of the decision and opens cases for review and decline', async () => {
    const d = decisionEvent(3, 'fields'); // review
    d.transaction.channel = 'ecommerce';
    d.transaction.ip = '192.0.2.1';
    await writeEvents(sql, [d]);
    const [row] =
      await sql`SELECT * FROM transactions WHERE transaction_id = ${d.transaction.transaction_id}`;
    expect(row).toMatchObject({
      event_id: d.event_id,
      customer_id: d.transaction.customer_id,
      amount: d.transaction.amount,
      currency: 'EUR',
      channel: 'ecommerce',
      ip: '192.0.2.1',
      country: null,
      score: d.score,
      decision: 'review',
      reasons: d.reasons,
      features: d.features,
      degraded: false,
      runtime: 'node',
      latency_ms: 0.5,
      label: null,
    });
    expect((row!.ts as Date).toISOString()).toBe(d.transaction.timestamp);
    const [c] =
      await sql`SELECT * FROM cases WHERE transaction_id = ${d.transaction.transaction_id}`;
    expect(c).toMatchObject({
      case_id: `case_${d.transaction.transaction_id}`,
      status: 'open',
      version: 1,
    });
  });

  it("stores the challenger's opinion a decision event carries, and null without one", async () => {
    const d = decisionEvent(5, 'challenger');
    const plain = decisionEvent(6, 'challenger');
    const challenger = { model_version: 'gbdt-next', score: 0.4375, decision: 'review' };
    // The text as the ingest produced it: the event with its challenger field.
    await writeEvents(
      sql,
      [d, plain],
      [JSON.stringify({ ...d, challenger }), JSON.stringify(plain)],
    );
    const rows = await sql<{ transaction_id: string; challenger: unknown }[]>`
      SELECT transaction_id, challenger FROM transactions
      WHERE transaction_id IN (${d.transaction.transaction_id}, ${plain.transaction.transaction_id})
      ORDER BY transaction_id`;
    expect(rows.map((r) => r.challenger)).toEqual([challenger, null]);
  });

  it('keeps the latest verdict by time, in whatever order verdicts and decisions arrive', async () => {
    const early = feedbackEvent(1, 'fraud', '2018-09-01T00:00:00Z', 'label');
    const late = feedbackEvent(1, 'legitimate', '2018-09-02T00:00:00Z', 'label');
    // The later verdict first, before the decision exists; then the earlier one; then the decision.
    await writeEvents(sql, [late]);
    await writeEvents(sql, [early]);
    await writeEvents(sql, [decisionEvent(1, 'label')]);
    const label = async () =>
      (await sql`SELECT label FROM transactions WHERE transaction_id = 'tx_label_1'`)[0]!.label as
        string | null;
    expect(await label()).toBe('legitimate');
    // Redelivering the old verdict changes nothing; a newer one wins.
    await writeEvents(sql, [early]);
    expect(await label()).toBe('legitimate');
    await writeEvents(sql, [feedbackEvent(1, 'fraud', '2018-09-03T00:00:00Z', 'label')]);
    expect(await label()).toBe('fraud');
    expect(await count('feedback', 'label')).toBe(3);
  });

  it('takes decisions and verdicts of one transaction in one batch', async () => {
    await writeEvents(sql, [
      decisionEvent(7, 'mixed'),
      feedbackEvent(7, 'fraud', '2018-09-01T00:00:00Z', 'mixed'),
    ]);
    const [row] = await sql`SELECT label FROM transactions WHERE transaction_id = 'tx_mixed_7'`;
    expect(row!.label).toBe('fraud');
  });

  it('writes a batch larger than one statement', async () => {
    const events = Array.from({ length: 2_100 }, (_, i) => decisionEvent(i, 'big'));
    expect((await writeEvents(sql, events)).decisionsInserted).toBe(2_100);
    expect(await count('transactions', 'big')).toBe(2_100);
  });
});

describe('migrate', () => {
  it('is idempotent: a second run applies nothing and changes nothing', async () => {
    expect(await migrate(sql)).toEqual([]);
    const rows = await sql`SELECT version, name FROM schema_migrations ORDER BY version`;
    expect(rows.map((r) => r.name as string)).toEqual(readMigrations().map((m) => m.name));
  });

  it('applies each file once even when two backplanes start together', async () => {
    const fresh = await startEmbeddedPostgres('memory');
    const a = postgres(fresh.url, { max: 1, onnotice: () => undefined });
    const b = postgres(fresh.url, { max: 1, onnotice: () => undefined });
    try {
      const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
      expect([...ra, ...rb].sort()).toEqual(readMigrations().map((m) => m.name));
    } finally {
      await a.end();
      await b.end();
      await fresh.close();
    }
  });

  it('refuses a migration that changed after it was applied', async () => {
    await expect(
      migrate(sql, [{ version: '001', name: '001_init.sql', sql: 'SELECT 1', checksum: 'x' }]),
    ).rejects.toMatchObject({ code: 'MIGRATION_MISMATCH' });
  });
});

describe('the verdict in force, PGlite and core (verdict-order.suite.ts)', () => {
  it('reads verdict times to the microsecond PGlite stores', async () => {
    await checkVerdictMicroseconds(sql, 2_000);
  });

  it('keeps as label the verdict core leaves in force, whatever the arrival order', async () => {
    const covered = await checkVerdictOrder(sql, 'vo', 60);
    expect(covered.late).toBeGreaterThan(0);
    expect(covered.ties).toBeGreaterThan(0);
  });
});
