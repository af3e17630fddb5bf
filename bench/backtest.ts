/**
 * The rule backtest (issue 16: 1,000,000 stored decisions in ≤ 10 s on this 2-core machine, on
 * PGlite and on PostgreSQL 15): POST /api/rules/backtest through the analysts' API, as the
 * dashboard calls it, over 100k and 1M decisions written by SQL (generate_series; rows as the
 * consumer writes them, every model feature in the features json as the edge sends it), for a
 * typical rule (an amount and a feature) and one reading a list of 1,000 terminals. Rows/s,
 * elapsed (the answer's elapsed_ms and the request's wall time) and the process's memory peak
 * (RSS and JS heap, sampled every 10 ms; with PGlite the database lives in the same process, so
 * its RSS includes PGlite's).
 */
import { loadavg } from 'node:os';
import { FEATURE_NAMES } from '@vigil/core';
import postgres, { type Sql } from 'postgres';
import { migrate } from '../backplane/src/adapters/postgres/migrate.js';
import { startEmbeddedPostgres } from '../backplane/src/adapters/postgres/embedded-pglite.js';
import { apiHarness, bearer } from '../backplane/src/api/test-support.js';
import { startPostgres, stopPostgres } from '../scripts/services/postgres-test-setup.js';
import { POSTGRES_PORT, runDatabase, service } from './backplane-setup.js';
import { fmt, fmtInt, table } from './stats.js';

const SIZES = (process.env.VIGIL_BENCH_BACKTEST_SIZES ?? '100000,1000000').split(',').map(Number);
const FROM = '2031-03-01T00:00:00Z';
const TO = '2031-03-31T00:00:00Z';

const RULES = [
  {
    name: 'amount and feature',
    expression: 'tx.amount > 500.0 && features.customer_nb_tx_1d > 3.0',
    action: 'review',
  },
  {
    name: 'list (1,000 terminals)',
    expression: 'in_list("watch_terminals", tx.terminal_id)',
    action: 'block',
  },
] as const;

/** Decisions n0+1 … n1: 50,000 cards, 10,000 terminals, scored over the 30 days, 5 % labelled fraud. */
async function insertDecisions(sql: Sql, n0: number, n1: number): Promise<void> {
  const features = FEATURE_NAMES.map((f) =>
    f === 'customer_nb_tx_1d'
      ? `'${f}', floor(random() * 8)`
      : f === 'amount'
        ? `'${f}', a.amount`
        : `'${f}', round(random()::numeric, 4)`,
  ).join(', ');
  await sql.unsafe(`
    INSERT INTO transactions (transaction_id, event_id, ts, customer_id, terminal_id, amount,
      currency, score, decision, reasons, features, model_version, degraded, scored_at, runtime,
      latency_ms, label)
    SELECT 'tx_' || i, 'dec:tx_' || i, a.at - interval '1 second', 'c_' || (i % 50000),
      't_' || (i % 10000), a.amount, 'EUR', a.score,
      CASE WHEN a.score >= 0.8 THEN 'decline' WHEN a.score >= 0.5 THEN 'review' ELSE 'approve' END,
      '[{"code":"AMOUNT_VS_CUSTOMER_MEAN","feature":"amount_to_mean_30d","contribution":0.12}]'::json,
      json_build_object(${features}), 'gbdt-bench', false, a.at, 'node', 1.0,
      CASE WHEN i % 20 = 0 THEN 'fraud' WHEN i % 5 = 0 THEN 'legitimate' END
    FROM generate_series(${n0 + 1}, ${n1}) AS i,
      LATERAL (SELECT timestamptz '${FROM}' + (i % 2592000) * interval '1 second' AS at,
                      round((random() * 1000)::numeric, 2)::float8 AS amount,
                      random() AS score) AS a`);
}

async function listTerminals(sql: Sql): Promise<void> {
  await sql`INSERT INTO lists (name, kind, created_by) VALUES ('watch_terminals', 'terminal_id', 'bench')`;
  await sql.unsafe(`INSERT INTO list_items (list, value, added_by, added_at)
    SELECT 'watch_terminals', 't_' || (i * 10), 'bench', now() FROM generate_series(0, 999) i`);
}

interface Measured {
  readonly backend: string;
  readonly rows: number;
  readonly rule: string;
  readonly matched: number;
  readonly elapsedMs: number;
  readonly wallMs: number;
  readonly rssPeakMiB: number;
  readonly heapPeakMiB: number;
  readonly rssBeforeMiB: number;
  /** CPU seconds of this process (user + system) during the backtest. */
  readonly cpuS: number;
  /** The machine's 1-minute load average when it ended (2 cores: above 2 means waiting). */
  readonly load: number;
}

const MiB = 1_048_576;

/** One backtest through the API, with the process's memory sampled while it runs. */
async function measure(
  sql: Sql,
  backend: string,
  rows: number,
  rule: (typeof RULES)[number],
): Promise<Measured> {
  const h = apiHarness(sql, { backtest: { sql, timeoutMs: 600_000 } });
  global.gc?.();
  const before = process.memoryUsage();
  let rss = before.rss;
  let heap = before.heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 10);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const res = await h.root.request('/api/rules/backtest', {
    method: 'POST',
    headers: bearer(),
    body: JSON.stringify({ expression: rule.expression, action: rule.action, from: FROM, to: TO }),
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(timer);
  const body = (await res.json()) as { evaluated: number; matched: number; elapsed_ms: number };
  await h.api.close();
  if (res.status !== 200 || body.evaluated !== rows) {
    throw new Error(`backtest on ${backend}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  }
  return {
    backend,
    rows,
    rule: rule.name,
    matched: body.matched,
    elapsedMs: body.elapsed_ms,
    wallMs,
    rssPeakMiB: rss / MiB,
    heapPeakMiB: heap / MiB,
    rssBeforeMiB: before.rss / MiB,
    cpuS: (cpu.user + cpu.system) / 1e6,
    load: loadavg()[0]!,
  };
}

/** Grow the table through SIZES, backtesting each rule at each size. */
async function runBackend(backend: string, sql: Sql): Promise<Measured[]> {
  await listTerminals(sql);
  const out: Measured[] = [];
  let have = 0;
  for (const n of SIZES) {
    process.stderr.write(`bench: backtest ${backend}: inserting up to ${fmtInt(n)} decisions…\n`);
    for (let at = have; at < n; at += 100_000)
      await insertDecisions(sql, at, Math.min(n, at + 100_000));
    have = n;
    await sql`VACUUM ANALYZE transactions`;
    for (const rule of RULES) out.push(await measure(sql, backend, n, rule));
  }
  return out;
}

export async function benchBacktest(): Promise<string> {
  const results: Measured[] = [];
  const pglite = await startEmbeddedPostgres('memory');
  const lite = postgres(pglite.url, { max: 1, onnotice: () => undefined });
  try {
    await migrate(lite);
    results.push(...(await runBackend('PGlite (in-process, in memory)', lite)));
  } finally {
    await lite.end({ timeout: 1 });
    await pglite.close();
  }
  const pg = await service('postgres.sh', POSTGRES_PORT, startPostgres, stopPostgres);
  const db = await runDatabase(
    `postgres://vigil:vigil@127.0.0.1:${POSTGRES_PORT}/vigil`,
    `backtest_${Date.now().toString(36)}`,
  );
  try {
    await migrate(db.sql);
    results.push(...(await runBackend('PostgreSQL 15', db.sql)));
  } finally {
    await db.drop();
    await pg.stop();
  }
  return render(results);
}

function render(results: readonly Measured[]): string {
  return [
    '## Rule backtest (`POST /api/rules/backtest`)',
    '',
    'The route as the dashboard calls it (validation, the ruleset in force with the candidate, ' +
      'keyset pages of 10,000 rows over a connection of its own, the answer), over decisions ' +
      'written as the consumer writes them (every model feature in the features json). Target: ' +
      '1,000,000 decisions in ≤ 10 s. Memory: the process’s peak while the backtest ran (before → ' +
      'peak); with PGlite the database lives in the same process, so its RSS is PGlite’s too. ' +
      'CPU is this process’s (with PostgreSQL the server’s own is beside it); the load average ' +
      'says how busy the 2-core machine was (above 2, processes waited for a core): the wall ' +
      'times of a loaded run are the machine’s, the CPU seconds the backtest’s own.',
    '',
    table(
      [
        'database',
        'decisions',
        'rule',
        'matched',
        'elapsed',
        'rows/s',
        'CPU (this process)',
        'load (1 min)',
        'RSS before → peak',
        'heap peak',
      ],
      results.map((r) => [
        r.backend,
        fmtInt(r.rows),
        r.rule,
        fmtInt(r.matched),
        `${fmt(r.elapsedMs / 1000, 2)} s`,
        fmtInt(Math.round(r.rows / (r.elapsedMs / 1000))),
        `${fmt(r.cpuS, 1)} s`,
        fmt(r.load, 1),
        `${fmtInt(Math.round(r.rssBeforeMiB))} → ${fmtInt(Math.round(r.rssPeakMiB))} MiB`,
        `${fmtInt(Math.round(r.heapPeakMiB))} MiB`,
      ]),
    ),
    '',
  ].join('\n');
}
