/**
 * GET /api/stats in two statements over the window's decisions, run together:
 *
 * 1. counts, grouped three ways at once (GROUPING SETS, which Postgres hashes in one pass): the
 *    whole window (decisions, fraud labels), 60 time buckets (the series) and 20 score bins (the
 *    histogram), plus the window's bounds and the open cases;
 * 2. latency percentiles (percentile_cont) for the window and per bucket (ROLLUP: one sort).
 *
 * They are two because an ordered-set aggregate forces sorting, which would make the counts pay
 * for it too. Both read only scored_at, decision, score, latency_ms and label, which the covering
 * index transactions_listing (migration 004) holds: an index-only scan, not a walk over the wide rows. Arithmetic is
 * float8 (date_part, not extract, which is numeric since Postgres 14 and several times slower).
 */
import { type MoneyTotals, type Stats, type StatsWindow } from '@vigil/core';
import type { PendingQuery, Row, Sql } from 'postgres';
import * as z from 'zod/mini';
import { RowError } from './rows.js';

export const WINDOW_SECONDS: Readonly<Record<Exclude<StatsWindow, 'all'>, number>> = {
  '5m': 300,
  '1h': 3_600,
  '24h': 86_400,
  '7d': 604_800,
};
export const SERIES_BUCKETS = 60;
export const SCORE_BINS = 20;

const countsRow = z.object({
  g_bucket: z.number(),
  g_bin: z.number(),
  bucket: z.nullable(z.number()),
  bin: z.nullable(z.number()),
  n: z.number(),
  approve: z.number(),
  review: z.number(),
  decline: z.number(),
  fraud: z.number(),
});
const boundsRow = z.object({
  lo: z.date(),
  hi: z.date(),
  span_s: z.number(),
  open_cases: z.number(),
  open_median_age_s: z.nullable(z.number()),
});
const moneyRow = z.object({
  currency: z.nullable(z.string()),
  approved: z.number(),
  review: z.number(),
  declined: z.number(),
  confirmed_fraud: z.number(),
  false_positive: z.number(),
  resolved: z.number(),
  false_positives: z.number(),
});
const percentileRow = z.object({
  bucket: z.nullable(z.number()),
  p: z.nullable(z.array(z.nullable(z.number()))),
});

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

function parse<S extends z.ZodMiniType>(schema: S, row: unknown): z.infer<S> {
  const r = z.safeParse(schema, row);
  if (!r.success) throw new RowError('stats', r.error);
  return r.data;
}

/** The statistics of one window ending `now` ('all': first to last decision). */
export async function computeStats(
  sql: Sql,
  window: StatsWindow,
  now: Date,
  consumerLag: number,
): Promise<Stats> {
  const fixed = window !== 'all';
  // The window: [lo, hi] and its length; for 'all', from the ends of the scored_at index.
  const bounds = fixed
    ? sql`SELECT ${new Date(now.getTime() - WINDOW_SECONDS[window] * 1000)}::timestamptz AS lo,
                 ${now}::timestamptz AS hi`
    : sql`SELECT coalesce(min(scored_at), ${now}::timestamptz) AS lo,
                 coalesce(max(scored_at), ${now}::timestamptz) AS hi FROM transactions`;
  const scope = (select: PendingQuery<Row[]>) => sql`
    WITH b AS (
      SELECT lo, hi, date_part('epoch', lo) AS lo_s,
             greatest(date_part('epoch', hi) - date_part('epoch', lo), 0.001) AS span_s
      FROM (${bounds}) AS x
    ),
    w AS (
      SELECT t.decision, t.latency_ms, t.label,
        least(${SERIES_BUCKETS - 1}, greatest(0,
          floor((date_part('epoch', t.scored_at) - b.lo_s) * ${SERIES_BUCKETS} / b.span_s)))::int
          AS bucket,
        least(${SCORE_BINS - 1}, greatest(0, floor(t.score * ${SCORE_BINS})))::int AS bin
      FROM transactions t, b
      WHERE t.scored_at >= b.lo ${fixed ? sql`AND t.scored_at <= b.hi` : sql``}
    )
    ${select}`;
  const [counts, percentiles, [boundsRaw], money] = await Promise.all([
    scope(sql`
      SELECT grouping(bucket) AS g_bucket, grouping(bin) AS g_bin, bucket, bin,
        count(*)::int AS n,
        (count(*) FILTER (WHERE decision = 'approve'))::int AS approve,
        (count(*) FILTER (WHERE decision = 'review'))::int AS review,
        (count(*) FILTER (WHERE decision = 'decline'))::int AS decline,
        (count(*) FILTER (WHERE label = 'fraud'))::int AS fraud
      FROM w GROUP BY GROUPING SETS ((), (bucket), (bin))`),
    scope(sql`
      SELECT bucket, percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY latency_ms) AS p
      FROM w GROUP BY ROLLUP (bucket)`),
    sql`
      WITH x AS (${bounds})
      SELECT lo, hi,
        greatest(date_part('epoch', hi) - date_part('epoch', lo), 0.001) AS span_s,
        (SELECT count(*)::int FROM cases WHERE status <> 'resolved') AS open_cases,
        -- Over the open cases' index (migration 009): the work waiting, however old the window.
        (SELECT percentile_cont(0.5) WITHIN GROUP (
                  ORDER BY date_part('epoch', ${now}::timestamptz - opened_at))
           FROM cases WHERE status <> 'resolved') AS open_median_age_s
      FROM x`,
    // Money needs amount and currency, which the covering index does not hold: its own statement
    // (one pass over the window's rows, and each one's case by its unique index).
    sql`
      WITH b AS (${bounds})
      SELECT t.currency,
        coalesce(sum(t.amount) FILTER (WHERE t.decision = 'approve'), 0)::float8 AS approved,
        coalesce(sum(t.amount) FILTER (WHERE t.decision = 'review'), 0)::float8 AS review,
        coalesce(sum(t.amount) FILTER (WHERE t.decision = 'decline'), 0)::float8 AS declined,
        coalesce(sum(t.amount) FILTER (WHERE t.label = 'fraud'), 0)::float8 AS confirmed_fraud,
        coalesce(sum(t.amount) FILTER (WHERE c.resolution = 'false_positive'), 0)::float8
          AS false_positive,
        (count(*) FILTER (WHERE c.status = 'resolved'))::int AS resolved,
        (count(*) FILTER (WHERE c.resolution = 'false_positive'))::int AS false_positives
      FROM b, transactions t LEFT JOIN cases c ON c.transaction_id = t.transaction_id
      WHERE t.scored_at >= b.lo ${fixed ? sql`AND t.scored_at <= b.hi` : sql``}
      GROUP BY t.currency`,
  ]);
  return assemble(
    window,
    parse(boundsRow, boundsRaw),
    counts.map((r) => parse(countsRow, r)),
    percentiles.map((r) => parse(percentileRow, r)),
    money.map((r) => parse(moneyRow, r)),
    consumerLag,
  );
}

/** Money per currency, most approved first (then by code, no currency last): a stable order. */
function moneyTotals(rows: readonly z.infer<typeof moneyRow>[]): MoneyTotals[] {
  // Sums of float8 amounts: rounded to the cent, as a currency's major unit shows them.
  const cents = (x: number) => Math.round(x * 100) / 100;
  return rows
    .map((r) => ({
      currency: r.currency,
      approved: cents(r.approved),
      review: cents(r.review),
      declined: cents(r.declined),
      confirmed_fraud: cents(r.confirmed_fraud),
      false_positive: cents(r.false_positive),
    }))
    .sort(
      (a, b) =>
        b.approved - a.approved ||
        (a.currency === null ? 1 : b.currency === null ? -1 : a.currency < b.currency ? -1 : 1),
    );
}

function assemble(
  window: StatsWindow,
  b: z.infer<typeof boundsRow>,
  counts: readonly z.infer<typeof countsRow>[],
  percentiles: readonly z.infer<typeof percentileRow>[],
  money: readonly z.infer<typeof moneyRow>[],
  consumerLag: number,
): Stats {
  const width = b.span_s / SERIES_BUCKETS;
  const series = Array.from({ length: SERIES_BUCKETS }, (_, i) => ({
    t: new Date(b.lo.getTime() + i * width * 1000).toISOString(),
    approve: 0,
    review: 0,
    decline: 0,
    p50_ms: 0,
    p99_ms: 0,
  }));
  const histogram = new Array<number>(SCORE_BINS).fill(0);
  let total = { n: 0, approve: 0, review: 0, decline: 0, fraud: 0 };
  for (const r of counts) {
    if (r.g_bucket === 1 && r.g_bin === 1) total = r;
    else if (r.g_bucket === 0 && r.bucket !== null && series[r.bucket]) {
      Object.assign(series[r.bucket]!, {
        approve: r.approve,
        review: r.review,
        decline: r.decline,
      });
    } else if (r.g_bin === 0 && r.bin !== null && r.bin < SCORE_BINS) histogram[r.bin] = r.n;
  }
  let latency = { p50: 0, p99: 0 };
  for (const r of percentiles) {
    const p50 = round(r.p?.[0] ?? 0);
    const p99 = round(r.p?.[1] ?? 0);
    if (r.bucket === null) latency = { p50, p99 };
    else if (series[r.bucket]) Object.assign(series[r.bucket]!, { p50_ms: p50, p99_ms: p99 });
  }
  const seconds = window === 'all' ? Math.max(b.span_s, 1) : WINDOW_SECONDS[window];
  const labelled = total.n === 0 ? null : round(total.fraud / total.n, 6);
  const resolved = money.reduce((n, r) => n + r.resolved, 0);
  const falsePositives = money.reduce((n, r) => n + r.false_positives, 0);
  return {
    window,
    from: b.lo.toISOString(),
    to: b.hi.toISOString(),
    transactions: total.n,
    tps: round(total.n / seconds),
    decisions: { approve: total.approve, review: total.review, decline: total.decline },
    labelled_fraud_rate: labelled,
    fraud_rate: labelled ?? 0,
    money: moneyTotals(money),
    false_positive_share: resolved === 0 ? null : round(falsePositives / resolved, 6),
    open_case_median_age_s: b.open_median_age_s === null ? null : Math.round(b.open_median_age_s),
    score_histogram: histogram,
    latency_ms: latency,
    consumer_lag: consumerLag,
    open_cases: b.open_cases,
    series,
  };
}
