/**
 * Writes consumed events to Postgres, idempotently: a redelivered batch changes nothing. Multi-row
 * INSERT … ON CONFLICT DO NOTHING of up to 1,000 rows per statement (never COPY, which PGlite's
 * socket cannot do), then the labels. Decisions insert
 * `transactions` and open a case for review and decline (case_id = 'case_' || transaction_id);
 * feedback inserts `feedback`, and every touched transaction's label becomes its latest verdict
 * by (ts, event_id). A fraud verdict from an analyst or the API also puts the transaction's card on
 * blocked_customers for VIGIL_BLOCK_ON_FRAUD_DAYS and takes it off allowed_customers, with their
 * audit rows, in the same statement.
 */
import { FEATURE_NAMES, type VigilEvent } from '@vigil/core';
import type { Sql } from 'postgres';
import { LIST_ITEMS_LOCK } from '../../api/lists/list-items.js';

/** Rows per INSERT statement. */
export const ROWS_PER_STATEMENT = 1_000;

/** The case a review or decline opens. */
export function caseIdOf(transactionId: string): string {
  return `case_${transactionId}`;
}

export interface WriteResult {
  /** Rows new to the database (the rest were already there: redeliveries). */
  readonly decisionsInserted: number;
  readonly feedbackInserted: number;
  readonly casesOpened: number;
  /** Cards put on (or kept longer on) blocked_customers by fraud verdicts. */
  readonly cardsBlocked: number;
}

export interface WriteOptions {
  /**
   * Days a fraud verdict blocks the transaction's card (VIGIL_BLOCK_ON_FRAUD_DAYS; 0 = never, the
   * default here: the consumer passes the configured value).
   */
  readonly blockOnFraudDays?: number;
}

function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** Bytes a feature takes in feature_vector (migration 012): a float8, big-endian. */
const FEATURE_BYTES = 8;

/**
 * A decision's features as migration 012's feature_vector, in hex: each a float8 big-endian (the
 * bytes Postgres's float8send gives, which the migration's backfill uses) in FEATURE_NAMES order,
 * NaN where the event has no number — what the backtest reads a missing feature as anyway.
 * Built from the event the consumer parsed already, without printing numbers: about a
 * microsecond per decision, where a float8[] literal (24 numbers to shortest text, then parsed
 * again by Postgres) measured 6–9 µs, and taking each name out of the json in SQL cost the
 * statement tens of µs a row. The stored bits are the double the edge's rules saw.
 */
export function featureVectorHex(features: unknown): string {
  const f = (typeof features === 'object' && features !== null ? features : {}) as Record<
    string,
    unknown
  >;
  const out = Buffer.allocUnsafe(FEATURE_NAMES.length * FEATURE_BYTES);
  for (let i = 0; i < FEATURE_NAMES.length; i++) {
    const v = f[FEATURE_NAMES[i]!];
    out.writeDoubleBE(typeof v === 'number' ? v : Number.NaN, i * FEATURE_BYTES);
  }
  return out.toString('hex');
}

/** A JSON array of events, from their texts: no re-serialization of what Kafka delivered. */
const jsonArray = (texts: readonly string[]) => `[${texts.join(',')}]`;

/**
 * One chunk of decisions and verdicts in ONE statement: transactions, the cases that review and
 * decline open, and feedback, as data-modifying CTEs. A statement is atomic by itself, and every
 * insert is idempotent, so the batch needs no explicit transaction: a batch half-written when the
 * consumer died is completed by its redelivery. (No BEGIN/COMMIT round trips either, and no
 * connection reserved across awaits — postgres.js can crash on a reserved connection whose server
 * went away mid-transaction, porsager/postgres#1208.) The rows are one json parameter — the events
 * as they came — unpacked by Postgres with json_to_recordset, which parses each event once into
 * typed columns and keeps `features` and `reasons` as the text they came in (json columns,
 * migration 004): far less work in Node than serializing twenty arrays, less in Postgres than
 * building jsonb and picking fields out of it, and one prepared statement whatever the batch size.
 */
async function insertChunk(
  sql: Sql,
  decisions: readonly string[],
  vectors: readonly string[],
  feedback: readonly string[],
  blockDays: number,
): Promise<WriteResult> {
  const [r] = await sql<{ inserted: number; cases: number; feedback: number; blocked: number }[]>`
    WITH ins AS (
      INSERT INTO transactions (
        transaction_id, event_id, ts, customer_id, terminal_id, amount, currency, channel, country,
        device_id, ip, score, decision, reasons, features, model_version, degraded, scored_at,
        runtime, latency_ms, rules, shadow_rules, ruleset_version, challenger, feature_vector)
      SELECT t.transaction_id, e.event_id, t.timestamp, t.customer_id, t.terminal_id, t.amount,
        t.currency, t.channel, t.country, t.device_id, t.ip, e.score, e.decision, e.reasons,
        e.features, e.model_version, e.degraded, e.scored_at, e.runtime, e.latency_ms,
        -- No rule matched: null, so the decision stays out of the rule-hits index (migration 006).
        CASE WHEN json_array_length(e.rules) > 0 THEN e.rules::jsonb END,
        CASE WHEN json_array_length(e.shadow_rules) > 0
          THEN ARRAY(SELECT json_array_elements_text(e.shadow_rules)) END,
        e.ruleset_version,
        -- The challenger's { model_version, score, decision } (migration 010); none: null.
        CASE WHEN json_typeof(e.challenger) = 'object' THEN e.challenger::jsonb END,
        decode(e.feature_vector, 'hex')
      -- ROWS FROM zips the events with their vectors, i-th with i-th (migration 012).
      FROM ROWS FROM (
        json_to_recordset(${jsonArray(decisions)}::text::json) AS (
          event_id text, transaction json, score float8, decision text, reasons json,
          features json, model_version text, degraded boolean, scored_at timestamptz,
          runtime text, latency_ms float8, rules json, shadow_rules json, ruleset_version int,
          challenger json),
        unnest(${vectors as string[]}::text[])
      ) AS e(
          event_id, transaction, score, decision, reasons, features, model_version, degraded,
          scored_at, runtime, latency_ms, rules, shadow_rules, ruleset_version, challenger,
          feature_vector),
        LATERAL json_to_record(e.transaction) AS t(
          transaction_id text, timestamp timestamptz, customer_id text, terminal_id text,
          amount float8, currency text, channel text, country text, device_id text, ip text)
      ON CONFLICT DO NOTHING
      RETURNING transaction_id, customer_id, decision, scored_at, score, amount
    ), opened AS (
      -- Only the decision that was stored opens a case, in the same statement: a redelivery finds
      -- both already there, and a second decision for a stored transaction (an edge that lost its
      -- idempotency memory, say) opens none for an approve Postgres kept.
      INSERT INTO cases (case_id, transaction_id, opened_at, updated_at, decision, score, amount)
      SELECT 'case_' || transaction_id, transaction_id, scored_at, scored_at, decision, score,
        amount
      FROM ins
      WHERE decision IN ('review', 'decline')
      ON CONFLICT DO NOTHING
      RETURNING 1
    ), fb AS (
      INSERT INTO feedback (event_id, transaction_id, label, ts, source, actor, case_id, customer_id)
      SELECT f.event_id, f.transaction_id, f.label, f.timestamp, f.source, f.actor, f.case_id,
        f.customer_id
      FROM json_to_recordset(${jsonArray(feedback)}::text::json) AS f(
        event_id text, transaction_id text, label text, timestamp timestamptz, source text,
        actor text, case_id text, customer_id text)
      ON CONFLICT DO NOTHING
      RETURNING transaction_id, label, source, customer_id
    )${blockDays > 0 ? blockOnFraud(sql, blockDays) : sql``}
    SELECT (SELECT count(*) FROM ins)::int AS inserted, (SELECT count(*) FROM opened)::int AS cases,
      (SELECT count(*) FROM fb)::int AS feedback,
      ${blockDays > 0 ? sql`(SELECT count(*) FROM blocked)::int` : sql`0`} AS blocked`;
  return {
    decisionsInserted: r!.inserted,
    casesOpened: r!.cases,
    feedbackInserted: r!.feedback,
    cardsBlocked: r!.blocked,
  };
}

/**
 * The CTEs that block the cards of the fraud verdicts just stored (`fb`: a redelivered verdict is
 * not stored again, so it blocks nothing twice). The card is the verdict's customer_id, else its
 * transaction's (stored before, or in this statement). A card already blocked for longer, or for
 * ever, keeps its item; otherwise the item is added, revived or extended; and the card is taken
 * off allowed_customers (whose rule outranks the block), each change taking the next
 * list_items seq under the writers' lock (api/lists/list-items.ts) — only a statement that has a
 * card to block takes it (a one-time filter evaluated before its first row), and only batches
 * holding a fraud verdict get these CTEs at all. Each change has its audit row.
 */
function blockOnFraud(sql: Sql, days: number) {
  // Times in the audit rows as the API writes them (toISOString: UTC, milliseconds, Z).
  const ISO = (column: string) =>
    sql.unsafe(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
  return sql`, fraud AS (
      SELECT DISTINCT ON (card) card, f.transaction_id, old.value IS NOT NULL AS had,
        CASE WHEN old.value IS NOT NULL AND old.removed_at IS NULL THEN jsonb_build_object(
          'value', old.value, 'reason', old.reason, 'expires_at', ${ISO('old.expires_at')},
          'added_by', old.added_by, 'added_at', ${ISO('old.added_at')}) END AS before
      FROM fb f
      LEFT JOIN ins i ON i.transaction_id = f.transaction_id
      LEFT JOIN transactions t ON t.transaction_id = f.transaction_id
      CROSS JOIN LATERAL (SELECT COALESCE(f.customer_id, i.customer_id, t.customer_id) AS card) c
      LEFT JOIN list_items old ON old.list = 'blocked_customers' AND old.value = c.card
      WHERE f.label = 'fraud' AND f.source IN ('api', 'analyst') AND c.card IS NOT NULL
      ORDER BY card, f.transaction_id
    ), blocked AS (
      INSERT INTO list_items AS li (list, value, reason, expires_at, added_by, added_at)
      SELECT 'blocked_customers', card, 'confirmed fraud on ' || transaction_id,
        now() + make_interval(days => ${days}::int), 'system:feedback', now()
      FROM fraud
      WHERE (SELECT true FROM pg_advisory_xact_lock(hashtext(${LIST_ITEMS_LOCK})))
      ON CONFLICT (list, value) DO UPDATE
        SET reason = EXCLUDED.reason, expires_at = EXCLUDED.expires_at,
            added_by = EXCLUDED.added_by, added_at = EXCLUDED.added_at,
            removed_at = NULL, removed_by = NULL, seq = nextval('list_items_seq')
        WHERE li.removed_at IS NOT NULL
           OR (li.expires_at IS NOT NULL AND li.expires_at < EXCLUDED.expires_at)
      RETURNING li.value, li.reason, li.expires_at, li.added_by, li.added_at
    ), audited AS (
      INSERT INTO audit_log (at, actor, action, target, before, after)
      SELECT now(), 'system:feedback', 'list.item.add', 'list:blocked_customers:' || b.value,
        f.before, jsonb_build_object('value', b.value, 'reason', b.reason,
          'expires_at', ${ISO('b.expires_at')}, 'added_by', b.added_by,
          'added_at', ${ISO('b.added_at')})
      FROM blocked b JOIN fraud f ON f.card = b.value
      RETURNING 1
    ), unallowed AS (
      -- allow_listed_customers outranks the block: a confirmed fraud also takes the card off
      -- allowed_customers (a tombstone with the next seq, under the same lock), or it stays approved.
      UPDATE list_items li
      SET removed_at = now(), removed_by = 'system:feedback', seq = nextval('list_items_seq')
      FROM fraud f
      WHERE li.list = 'allowed_customers' AND li.value = f.card AND li.removed_at IS NULL
        AND (SELECT true FROM pg_advisory_xact_lock(hashtext(${LIST_ITEMS_LOCK})))
      RETURNING li.value, li.reason, li.expires_at, li.added_by, li.added_at
    ), unallowed_audited AS (
      INSERT INTO audit_log (at, actor, action, target, before, after)
      SELECT now(), 'system:feedback', 'list.item.remove', 'list:allowed_customers:' || u.value,
        jsonb_build_object('value', u.value, 'reason', u.reason,
          'expires_at', ${ISO('u.expires_at')}, 'added_by', u.added_by,
          'added_at', ${ISO('u.added_at')}), NULL
      FROM unallowed u
      RETURNING 1
    )`;
}

/**
 * Set each transaction's label to its latest verdict. Runs after the inserts have committed, in
 * its own statement: a decision and its verdict may be written concurrently from two partitions, and
 * whichever commits last then sees the other. The guard on (label_ts, label_event_id) keeps an
 * update computed from an older snapshot from overwriting a newer label.
 */
async function refreshLabels(sql: Sql, transactionIds: readonly string[]): Promise<void> {
  await sql`
    UPDATE transactions t
       SET label = f.label, label_ts = f.ts, label_event_id = f.event_id
      FROM (SELECT DISTINCT ON (transaction_id) transaction_id, label, ts, event_id
              FROM feedback
             WHERE transaction_id = ANY(${transactionIds}::text[])
             ORDER BY transaction_id, ts DESC, event_id DESC) f
     WHERE t.transaction_id = f.transaction_id
       AND (t.label_ts IS NULL OR (f.ts, f.event_id) > (t.label_ts, t.label_event_id))`;
}

/**
 * Write one consumed batch; safe to repeat. `texts[i]` is the JSON of `events[i]` as it was
 * received (validated by core's schemas at the ingest); without it the events are serialized here.
 */
export async function writeEvents(
  sql: Sql,
  events: readonly VigilEvent[],
  texts: readonly string[] = events.map((e) => JSON.stringify(e)),
  options: WriteOptions = {},
): Promise<WriteResult> {
  const decisions: string[] = [];
  const vectors: string[] = [];
  const feedback: string[] = [];
  const touched = new Set<string>();
  let frauds = false;
  events.forEach((e, i) => {
    if (e.type === 'decision') {
      decisions.push(texts[i]!);
      vectors.push(featureVectorHex(e.features));
      touched.add(e.transaction.transaction_id);
    } else {
      feedback.push(texts[i]!);
      touched.add(e.transaction_id);
      if (e.label === 'fraud') frauds = true;
    }
  });
  if (events.length === 0) {
    return { decisionsInserted: 0, feedbackInserted: 0, casesOpened: 0, cardsBlocked: 0 };
  }
  // The block-on-fraud CTEs only where a fraud verdict is: the other batches keep the plain statement.
  const blockDays = frauds ? (options.blockOnFraudDays ?? 0) : 0;
  let decisionsInserted = 0;
  let casesOpened = 0;
  let feedbackInserted = 0;
  let cardsBlocked = 0;
  const n = Math.max(decisions.length, feedback.length);
  for (let i = 0; i < n; i += ROWS_PER_STATEMENT) {
    const r = await insertChunk(
      sql,
      decisions.slice(i, i + ROWS_PER_STATEMENT),
      vectors.slice(i, i + ROWS_PER_STATEMENT),
      feedback.slice(i, i + ROWS_PER_STATEMENT),
      blockDays,
    );
    decisionsInserted += r.decisionsInserted;
    casesOpened += r.casesOpened;
    feedbackInserted += r.feedbackInserted;
    cardsBlocked += r.cardsBlocked;
  }
  const result = { decisionsInserted, feedbackInserted, casesOpened, cardsBlocked };
  for (const part of chunks([...touched], ROWS_PER_STATEMENT * 5)) await refreshLabels(sql, part);
  return result;
}

/**
 * Whether a failed write may succeed if retried (connection lost, server restarting, conflicts,
 * resources) — or whether the data itself cannot be stored (SQLSTATE classes 22 and 23: a value
 * Postgres refuses, such as a NUL character), so that retrying the same batch would never end.
 */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}
