/**
 * What a rule backtest reads from Postgres: the lists its rules name (as they are now), the score
 * bounds behind the model's own decision (core's model-decision.ts), the ruleset versions a shadow
 * rule ran in, and the stored decisions of the window in keyset pages of (scored_at,
 * transaction_id) — PGlite has no cursors, and a page at a time keeps memory bounded and lets the
 * consumer's and the dashboard's queries run between pages. Only the columns, features and
 * fields the rules read are selected.
 */
import {
  addToBounds,
  emptyBounds,
  FEATURE_NAMES,
  N_FEATURES,
  RULE_ACTIONS,
  type BacktestPlan,
  type BacktestRow,
  type Decision,
  type ListKind,
  type LoadedList,
  type ModelScoreBounds,
  type RuleAction,
  type RuleTransaction,
  type VelocityReplay,
  VELOCITY_MAX_WINDOW_S,
} from '@vigil/core';
import type { Sql } from 'postgres';
import { RowError } from '../rows.js';

/** The window on scored_at: from ≤ scored_at < to. */
export interface Window {
  readonly from: Date;
  readonly to: Date;
}

/** The unexpired, unremoved items of the lists `names`, one Set per list, as of `now`. */
export async function loadLists(
  sql: Sql,
  names: readonly string[],
  now: Date,
): Promise<LoadedList[]> {
  if (names.length === 0) return [];
  const lists = await sql<{ name: string; kind: ListKind }[]>`
    SELECT name, kind FROM lists WHERE name = ANY(${names as string[]})`;
  const out = new Map(lists.map((l) => [l.name, { ...l, values: new Set<string>() }]));
  const items = await sql<{ list: string; value: string }[]>`
    SELECT list, value FROM list_items
    WHERE list = ANY(${names as string[]}) AND removed_at IS NULL
      AND (expires_at IS NULL OR expires_at > ${now})`;
  for (const i of items) out.get(i.list)?.values.add(i.value);
  return [...out.values()];
}

/**
 * Per model version, the scores of its decisions in the window that no active rule changed — read
 * only when some decision of the window had one (then the model's own decision must be derived);
 * else null (no decision needs it, nor its `rules` and `model_version` read), at the cost of one
 * probe of the rule-hits index. (The consumer stores `rules`
 * as null when no active rule matched, never as [].)
 */
export async function modelScoreBounds(
  sql: Sql,
  w: Window,
): Promise<Map<string, ModelScoreBounds> | null> {
  const out = new Map<string, ModelScoreBounds>();
  const ruled = await sql`
    SELECT 1 FROM transactions
    WHERE scored_at >= ${w.from} AND scored_at < ${w.to} AND rules IS NOT NULL
    LIMIT 1`;
  if (ruled.length === 0) return null;
  const rows = await sql<{ model_version: string; decision: Decision; lo: number; hi: number }[]>`
    SELECT model_version, decision, min(score) AS lo, max(score) AS hi FROM transactions
    WHERE scored_at >= ${w.from} AND scored_at < ${w.to}
      AND rules IS NULL
    GROUP BY model_version, decision`;
  for (const r of rows) {
    let b = out.get(r.model_version);
    if (b === undefined) out.set(r.model_version, (b = emptyBounds()));
    addToBounds(b, r.decision, r.lo);
    addToBounds(b, r.decision, r.hi);
  }
  return out;
}

/**
 * The span of event time (`ts`) a velocity replay reads: from the earliest event time of the
 * window's decisions less the longest velocity window (30 days), so every counter starts full, to
 * the latest. Null when the window has no decision.
 */
export async function velocitySpan(sql: Sql, w: Window): Promise<Window | null> {
  const [r] = await sql<{ lo: Date | null; hi: Date | null }[]>`
    SELECT min(ts) AS lo, max(ts) AS hi FROM transactions
    WHERE scored_at >= ${w.from} AND scored_at < ${w.to}`;
  if (!r || r.lo === null || r.hi === null) return null;
  // A ms more at the end: the JS Date has ms, the stored time µs.
  return {
    from: new Date(r.lo.getTime() - VELOCITY_MAX_WINDOW_S * 1_000 - 1),
    to: new Date(r.hi.getTime() + 1),
  };
}

/** The ruleset versions in which rule `id` was in shadow mode. */
export async function shadowVersions(sql: Sql, id: string): Promise<number[]> {
  const rows = await sql<{ version: number }[]>`
    SELECT version FROM rulesets
    WHERE rules @> ${sql.json([{ id, mode: 'shadow' }])}::jsonb`;
  return rows.map((r) => r.version);
}

/** A page's position: the last row's scored_at (epoch µs, exact in a double) and id. */
interface Cursor {
  readonly us: number;
  readonly id: string;
}

/**
 * Epoch µs from date_part('epoch', …) (float8 seconds). Postgres computes it as the exact int64 of
 * µs divided by 10⁶, rounded once; µs of years 1970–2255 are below 2⁵³ and the division's error
 * is below half a µs, so rounding recovers the µs exactly — what the keyset cursor needs. (extract()
 * returns numeric since PostgreSQL 14, exact but about a third slower per row, measured on PGlite.)
 */
function micros(seconds: unknown): number {
  return Math.round((seconds as number) * 1_000_000);
}

/** An epoch-µs instant as RFC 3339 text with all six fraction digits (Postgres keeps µs). */
function microsIso(us: number): string {
  const ms = Math.floor(us / 1_000);
  const rest = us - ms * 1_000;
  return `${new Date(ms).toISOString().slice(0, 23)}${String(rest).padStart(3, '0')}Z`;
}

const DECISIONS: ReadonlySet<string> = new Set(['approve', 'review', 'decline']);
const ACTIONS: ReadonlySet<string> = new Set(RULE_ACTIONS);
const OPTIONAL_FIELDS = ['customer_id', 'terminal_id', 'channel', 'country', 'device_id', 'ip'];

/** The stored `rules` ([{id, action}]) as their actions; a shape this build does not know throws. */
function hitsOf(rules: unknown): RuleAction[] | null {
  if (rules === null) return null;
  if (!Array.isArray(rules)) throw new RowError('transaction (rules)', rules);
  return rules.map((h: unknown) => {
    const a = (h as { action?: unknown } | null)?.action;
    if (typeof a !== 'string' || !ACTIONS.has(a)) throw new RowError('transaction (rules)', h);
    return a as RuleAction;
  });
}

/** One raw row, as the page query below selects it: its values in the order of its columns. */
type RawRow = readonly unknown[];

/** A BacktestRow the page loop fills again for each row (nothing keeps one past `onRow`). */
type MutableRow = { -readonly [K in keyof BacktestRow]: BacktestRow[K] };

/**
 * Hand the stored decisions of the window to `onRow`, oldest first, reading `pageSize` rows a
 * page. The row handed on, its `tx` and its features are valid only during the call: they are
 * filled again for the next row (a million rows would otherwise allocate three million objects,
 * and collecting them showed in the profile). Rows come as arrays (postgres.js `.values()`), not
 * objects keyed by column name: fewer allocations and no hashed property stores per value.
 * Rows are checked by hand, not by a zod schema: a schema's parse costs about a microsecond a
 * row, a tenth of the whole per-row budget of a million-row backtest; the checks are the same.
 */
export async function forEachStoredDecision(
  sql: Sql,
  plan: BacktestPlan,
  w: Window,
  options: {
    readonly pageSize: number;
    readonly shadow: { readonly id: string; readonly versions: number[] } | null;
    /** Whether some decision of the window had an active rule match (then `rules` is read). */
    readonly ruled: boolean;
    /** Runs before each page after the first; throws to stop (a deadline, a client gone). */
    readonly betweenPages: () => void;
    /**
     * When the rules read velocity: the replay to fold every transaction into, and the span of
     * event time to read (from the window's earliest event time less the longest velocity window).
     * Rows then come in event-time order, and only those of the window reach `onRow`.
     */
    readonly velocity: { readonly replay: VelocityReplay; readonly span: Window } | null;
  },
  onRow: (row: BacktestRow) => void,
): Promise<void> {
  const reads = plan.reads;
  const velocity = options.velocity;
  const ruled = options.ruled;
  const tx = new Set<string>(reads.tx);
  // The velocity programs key on the card, the device and the IP, and count countries.
  if (velocity) for (const f of ['customer_id', 'device_id', 'ip', 'country']) tx.add(f);
  const fields = OPTIONAL_FIELDS.filter((f) => tx.has(f));
  const blanks = fields.map(blank);
  const wantsTime = tx.has('hour') || velocity !== null;
  const featureIdx = reads.features.map((f) => FEATURE_NAMES.indexOf(f));
  const shadow = options.shadow;
  // Column positions: the fixed seven first, then each optional group in this order.
  const ID = 0,
    AMOUNT = 1,
    CURRENCY = 2,
    SCORE = 3,
    DECISION = 4,
    LABEL = 5,
    SCORED_S = 6;
  let at = 7;
  const MODEL = ruled ? at : -1;
  const RULES = ruled ? at + 1 : -1;
  if (ruled) at += 2;
  const IN_WINDOW = velocity ? at++ : -1;
  const FIELD0 = at;
  at += fields.length;
  const TS_S = wantsTime ? at++ : -1;
  const FEATURE0 = at;
  at += featureIdx.length;
  const SH_EVAL = shadow ? at : -1;
  const SH_MATCH = shadow ? at + 1 : -1;
  const columns = [
    sql`transaction_id, amount, currency, score, decision, label,
        date_part('epoch', scored_at) AS scored_s`,
    ...(ruled ? [sql`model_version, rules`] : []),
    ...(velocity ? [sql`(scored_at >= ${w.from} AND scored_at < ${w.to}) AS in_window`] : []),
    ...fields.map((f) => sql`${sql(f)}`),
    ...(wantsTime ? [sql`date_part('epoch', ts) AS ts_s`] : []),
    // The stored vector's 8 bytes (migration 012), or for a row without one the json's number,
    // as before: the same double either way, and the json is lexed only for the rows that need it.
    ...reads.features.map(
      (f, i) =>
        sql`CASE WHEN feature_vector IS NULL THEN float8send((features ->> ${f})::float8)
                 ELSE substring(feature_vector FROM ${featureIdx[i]! * 8 + 1} FOR 8)
            END AS ${sql(`f${i}`)}`,
    ),
    ...(shadow
      ? [
          sql`coalesce(ruleset_version = ANY(${shadow.versions}), false) AS sh_eval,
              coalesce(${shadow.id} = ANY(shadow_rules), false) AS sh_match`,
        ]
      : []),
  ];
  const select = columns.reduce((a, b) => sql`${a}, ${b}`);
  // The cursor's time goes as text: a timestamptz parameter is written by postgres.js through a
  // JS Date, which keeps ms, and rows µs apart would be read again (an endless loop).
  // Paged on (scored_at, transaction_id) in the window, or on (ts, transaction_id) over the
  // velocity span (migration 007's index).
  const key = velocity ? sql`ts` : sql`scored_at`;
  const keyAt = velocity ? TS_S : SCORED_S;
  const range = velocity
    ? sql`ts >= ${velocity.span.from} AND ts <= ${velocity.span.to}`
    : sql`scored_at >= ${w.from} AND scored_at < ${w.to}`;
  const page = (c: Cursor | null) =>
    sql<RawRow[]>`
    SELECT ${select} FROM transactions
    WHERE ${range}
      ${c ? sql`AND (${key}, transaction_id) > (${microsIso(c.us)}::text::timestamptz, ${c.id})` : sql``}
    ORDER BY ${key}, transaction_id
    LIMIT ${options.pageSize}`.values();

  // One shape for every row (the rules' getters stay monomorphic); an absent optional field is
  // undefined, so `has(tx.country)` is false, as at the edge.
  const t: Record<string, unknown> = {
    transaction_id: '',
    customer_id: '',
    terminal_id: '',
    amount: 0,
    currency: undefined,
    channel: undefined,
    country: undefined,
    device_id: undefined,
    ip: undefined,
  };
  const shadowLive = { evaluated: false, matched: false };
  const row: MutableRow = {
    tx: t as unknown as RuleTransaction,
    timeSec: 0,
    scoredAtMs: 0,
    features: new Float64Array(N_FEATURES).fill(Number.NaN),
    score: 0,
    decision: 'approve',
    hits: null,
    modelVersion: '',
    label: null,
    velocity: undefined,
    shadowLive: shadow ? shadowLive : undefined,
  };
  const features = row.features as Float64Array;

  let rows: readonly RawRow[] = await page(null);
  while (rows.length > 0) {
    const last = rows[rows.length - 1]!;
    const after: Cursor = { us: micros(last[keyAt]), id: last[ID] as string };
    let next: Promise<RawRow[]> | null = null;
    if (rows.length === options.pageSize) {
      options.betweenPages();
      // Asked for before this page is counted, so a server works on it meanwhile; on PGlite (one
      // connection each, queued by its socket) the queries of the consumer and the API that were
      // waiting run first. A rejection is awaited (and thrown) below, after this page.
      next = page(after);
      next.catch(() => undefined);
    }
    if (velocity === null) for (const r of rows) onRow(fill(r));
    else {
      for (const r of rows) {
        fill(r);
        const counters = velocity.replay.next({
          customerId: row.tx.customer_id,
          timeSec: row.timeSec,
          deviceId: row.tx.device_id,
          ip: row.tx.ip,
          country: row.tx.country,
        });
        if (r[IN_WINDOW] === true) {
          row.velocity = counters;
          onRow(row);
        }
      }
    }
    if (next === null) return;
    rows = await next;
  }

  function fill(r: RawRow): BacktestRow {
    const id = r[ID];
    const amount = r[AMOUNT];
    const score = r[SCORE];
    const decision = r[DECISION];
    const label = r[LABEL];
    const scoredS = r[SCORED_S];
    if (
      typeof id !== 'string' ||
      typeof amount !== 'number' ||
      typeof score !== 'number' ||
      typeof decision !== 'string' ||
      !DECISIONS.has(decision) ||
      (label !== null && label !== 'fraud' && label !== 'legitimate') ||
      (ruled && typeof r[MODEL] !== 'string') ||
      typeof scoredS !== 'number'
    ) {
      throw new RowError('transaction', r);
    }
    t.transaction_id = id;
    t.amount = amount;
    const currency = r[CURRENCY];
    t.currency = typeof currency === 'string' ? currency : undefined;
    for (let k = 0; k < fields.length; k++) {
      const v = r[FIELD0 + k];
      t[fields[k]!] = v === null ? blanks[k] : v;
    }
    for (let k = 0; k < featureIdx.length; k++) {
      const v = r[FEATURE0 + k];
      // A float8 big-endian; absent (NULL, a vector shorter than FEATURE_NAMES, NaN): NaN.
      features[featureIdx[k]!] =
        Buffer.isBuffer(v) && v.length === 8 ? v.readDoubleBE(0) : Number.NaN;
    }
    row.timeSec = wantsTime ? (r[TS_S] as number) : 0;
    row.scoredAtMs = micros(scoredS) / 1_000;
    row.score = score;
    row.decision = decision as Decision;
    row.hits = ruled ? hitsOf(r[RULES]) : null;
    row.modelVersion = ruled ? (r[MODEL] as string) : '';
    row.label = label;
    if (shadow) {
      shadowLive.evaluated = r[SH_EVAL] === true;
      shadowLive.matched = r[SH_MATCH] === true;
    }
    return row;
  }
}

/**
 * What a field stored as null reads as: customer_id and terminal_id are never null in storage
 * (NOT NULL) but keep '' as their empty value; the optional ones are undefined (absent).
 */
function blank(field: string): string | undefined {
  return field === 'customer_id' || field === 'terminal_id' ? '' : undefined;
}
