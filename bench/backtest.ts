/**
 * The rule backtest (issue 16: 1,000,000 stored decisions in ≤ 10 s on this 2-core machine, on
 * PGlite and on PostgreSQL 15): POST /api/rules/backtest through the analysts' API, as the
 * dashboard calls it, over 100k and 1M decisions written by SQL (generate_series; rows as the
 * consumer writes them, every model feature in the features json as the edge sends it and in
 * feature_vector as the consumer writes it, migration 012), for a typical rule (an amount and a
 * feature) and one reading a list of 1,000 terminals. Rows/s, elapsed (the answer's elapsed_ms and
 * the request's wall time), the CPU seconds of this process (the backplane's API: with PGlite the
 * database runs in it too) and of the PostgreSQL server, the process's memory peak (RSS and JS
 * heap, sampled every 10 ms) and the machine's load average before and after each backtest. The
 * decisions' ids carry this run's tag, so no run's rows can collide with an earlier run's.
 */
import { loadavg } from 'node:os';
import { FEATURE_NAMES } from '@vigil/core';
import postgres, { type Sql } from 'postgres';
import { migrate } from '../backplane/src/adapters/postgres/migrate.js';
import { startEmbeddedPostgres } from '../backplane/src/adapters/postgres/embedded-pglite.js';
import { apiHarness, bearer } from '../backplane/src/api/test-support.js';
import { startPostgres, stopPostgres } from '../scripts/services/postgres-test-setup.js';
import { POSTGRES_PORT, runDatabase, service } from './backplane-setup.js';
import { serviceCpu } from './proc-cpu.js';
import { fmt, fmtInt, table } from './stats.js';

const SIZES = (process.env.VIGIL_BENCH_BACKTEST_SIZES ?? '100000,1000000').split(',').map(Number);
/** Which databases to measure (VIGIL_BENCH_BACKTEST_DBS=pglite,postgres). */
const DBS = (process.env.VIGIL_BENCH_BACKTEST_DBS ?? 'pglite,postgres').split(',');
/** This run's tag in every transaction id: a rerun never sends an earlier run's ids. */
const RUN = `b${Date.now().toString(36)}`;
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

/**
 * Decisions n0+1 … n1: 50,000 cards, 10,000 terminals, scored over the 30 days, 5 % labelled fraud;
 * each feature drawn once and written both ways the consumer writes it (the json, and the
 * float8s big-endian in feature_vector).
 */
async function insertDecisions(sql: Sql, n0: number, n1: number): Promise<void> {
  const draws = FEATURE_NAMES.map((f) =>
    f === 'customer_nb_tx_1d'
      ? 'floor(random() * 8)'
      : f === 'amount'
        ? 'a.amount'
        : 'round(random()::numeric, 4)::float8',
  ).join(', ');
  const features = FEATURE_NAMES.map((f, i) => `'${f}', v.v[${i + 1}]`).join(', ');
  await sql.unsafe(`
    INSERT INTO transactions (transaction_id, event_id, ts, customer_id, terminal_id, amount,
      currency, score, decision, reasons, features, feature_vector, model_version, degraded,
      scored_at, runtime, latency_ms, label)
    SELECT 'tx_${RUN}_' || i, 'dec:tx_${RUN}_' || i, a.at - interval '1 second', 'c_' || (i % 50000),
      't_' || (i % 10000), a.amount, 'EUR', a.score,
      CASE WHEN a.score >= 0.8 THEN 'decline' WHEN a.score >= 0.5 THEN 'review' ELSE 'approve' END,
      '[{"code":"AMOUNT_VS_CUSTOMER_MEAN","feature":"amount_to_mean_30d","contribution":0.12}]'::json,
      json_build_object(${features}), fv.bytes, 'gbdt-bench', false, a.at, 'node', 1.0,
      CASE WHEN i % 20 = 0 THEN 'fraud' WHEN i % 5 = 0 THEN 'legitimate' END
    FROM generate_series(${n0 + 1}, ${n1}) AS i,
      LATERAL (SELECT timestamptz '${FROM}' + (i % 2592000) * interval '1 second' AS at,
                      round((random() * 1000)::numeric, 2)::float8 AS amount,
                      random() AS score) AS a,
      LATERAL (SELECT ARRAY[${draws}]::float8[] AS v) AS v,
      LATERAL (SELECT string_agg(float8send(x), ''::bytea ORDER BY k) AS bytes
               FROM unnest(v.v) WITH ORDINALITY AS u(x, k)) AS fv`);
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
  /** CPU seconds of the PostgreSQL server during the backtest (null: PGlite, in this process). */
  readonly serverCpuS: number | null;
  /** The machine's 1-minute load average before and after (2 cores: above 2 means waiting). */
  readonly loadBefore: number;
  readonly load: number;
}

const MiB = 1_048_576;

/** One backtest through the API, with the process's memory sampled while it runs. */
async function measure(
  sql: Sql,
  backend: string,
  rows: number,
  rule: (typeof RULES)[number],
  serverCpu: (() => number) | null,
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
  const loadBefore = loadavg()[0]!;
  const server0 = serverCpu?.() ?? 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const res = await h.root.request('/api/rules/backtest', {
    method: 'POST',
    headers: bearer(),
    body: JSON.stringify({ expression: rule.expression, action: rule.action, from: FROM, to: TO }),
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const serverCpuS = serverCpu ? serverCpu() - server0 : null;
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
    serverCpuS,
    loadBefore,
    load: loadavg()[0]!,
  };
}

/**
 * The same-run baseline: the rows a backtest reads (the window's ids, times, amounts and feature
 * vectors, in pages of 50,000 as the route asks) streamed over the same connection and dropped —
 * no API, no rules. What a backtest costs beyond it is Vigil's.
 */
async function measureFloor(
  sql: Sql,
  backend: string,
  rows: number,
  serverCpu: (() => number) | null,
): Promise<Measured> {
  global.gc?.();
  const before = process.memoryUsage();
  const loadBefore = loadavg()[0]!;
  const server0 = serverCpu?.() ?? 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let read = 0;
  const cursor = sql`
    SELECT transaction_id, scored_at, amount, feature_vector FROM transactions
    WHERE scored_at >= ${FROM} AND scored_at < ${TO}`
    .values()
    .cursor(50_000);
  for await (const page of cursor) read += page.length;
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const after = process.memoryUsage();
  if (read !== rows) throw new Error(`baseline on ${backend}: read ${read} of ${rows} rows`);
  return {
    backend,
    rows,
    rule: 'baseline: the rows read, no API, no rules',
    matched: 0,
    elapsedMs: wallMs,
    wallMs,
    rssPeakMiB: Math.max(before.rss, after.rss) / MiB,
    heapPeakMiB: Math.max(before.heapUsed, after.heapUsed) / MiB,
    rssBeforeMiB: before.rss / MiB,
    cpuS: (cpu.user + cpu.system) / 1e6,
    serverCpuS: serverCpu ? serverCpu() - server0 : null,
    loadBefore,
    load: loadavg()[0]!,
  };
}

/** Grow the table through SIZES, backtesting each rule at each size beside the baseline. */
async function runBackend(
  backend: string,
  sql: Sql,
  serverCpu: (() => number) | null,
): Promise<Measured[]> {
  await listTerminals(sql);
  const out: Measured[] = [];
  let have = 0;
  for (const n of SIZES) {
    process.stderr.write(`bench: backtest ${backend}: inserting up to ${fmtInt(n)} decisions…\n`);
    for (let at = have; at < n; at += 100_000)
      await insertDecisions(sql, at, Math.min(n, at + 100_000));
    have = n;
    await sql`VACUUM ANALYZE transactions`;
    out.push(await measureFloor(sql, backend, n, serverCpu));
    for (const rule of RULES) {
      const m = await measure(sql, backend, n, rule, serverCpu);
      process.stderr.write(
        `bench: backtest ${backend} ${fmtInt(n)} ${rule.name}: ${fmt(m.wallMs / 1000, 2)} s, ` +
          `CPU ${fmt(m.cpuS, 1)} s, load ${fmt(m.loadBefore, 1)} → ${fmt(m.load, 1)}\n`,
      );
      out.push(m);
    }
  }
  return out;
}

export async function benchBacktest(): Promise<string> {
  const results: Measured[] = [];
  if (DBS.includes('pglite')) {
    const pglite = await startEmbeddedPostgres('memory');
    const lite = postgres(pglite.url, { max: 1, onnotice: () => undefined });
    try {
      await migrate(lite);
      results.push(...(await runBackend('PGlite (in-process, in memory)', lite, null)));
    } finally {
      await lite.end({ timeout: 1 });
      await pglite.close();
    }
  }
  if (DBS.includes('postgres')) {
    const pg = await service('postgres.sh', POSTGRES_PORT, startPostgres, stopPostgres);
    const db = await runDatabase(
      `postgres://vigil:vigil@127.0.0.1:${POSTGRES_PORT}/vigil`,
      `backtest_${RUN}`,
    );
    try {
      await migrate(db.sql);
      results.push(...(await runBackend('PostgreSQL 15', db.sql, serviceCpu(POSTGRES_PORT))));
    } finally {
      await db.drop();
      await pg.stop();
    }
  }
  return render(results);
}

function render(results: readonly Measured[]): string {
  return [
    '## Rule backtest (`POST /api/rules/backtest`)',
    '',
    'The route as the dashboard calls it (validation, the ruleset in force with the candidate, ' +
      'keyset pages over a connection of its own, the answer), over decisions written as the ' +
      'consumer writes them (every model feature in the features json and in feature_vector, ' +
      'migration 012). Target: 1,000,000 decisions in ≤ 10 s. CPU: this process’s (the ' +
      'backplane; with PGlite the database runs in it too) and the PostgreSQL server’s. The load ' +
      'average (1 min, before → after) says how busy the 2-core machine was: above 2, processes ' +
      'waited for a core, and wall time is the machine’s more than the backtest’s. Memory: the ' +
      'process’s peak while the backtest ran (before → peak; with PGlite its RSS is PGlite’s too). ' +
      'Baseline, measured in the same run: the rows a backtest reads streamed over the same ' +
      'connection and dropped (no API, no rules; its memory is sampled before and after only). ' +
      'Run with `flock /tmp/vigil-bench.lock npx tsx bench/run.ts --only backtest`.',
    '',
    table(
      [
        'database',
        'decisions',
        'rule',
        'matched',
        'elapsed',
        'rows/s',
        'CPU (backplane)',
        'CPU (server)',
        'load before → after',
        'RSS before → peak',
        'heap peak',
      ],
      results.map((r) => [
        r.backend,
        fmtInt(r.rows),
        r.rule,
        r.rule.startsWith('baseline') ? '—' : fmtInt(r.matched),
        `${fmt(r.elapsedMs / 1000, 2)} s`,
        fmtInt(Math.round(r.rows / (r.elapsedMs / 1000))),
        `${fmt(r.cpuS, 1)} s`,
        r.serverCpuS === null ? '(in the backplane)' : `${fmt(r.serverCpuS, 1)} s`,
        `${fmt(r.loadBefore, 1)} → ${fmt(r.load, 1)}`,
        `${fmtInt(Math.round(r.rssBeforeMiB))} → ${fmtInt(Math.round(r.rssPeakMiB))} MiB`,
        `${fmtInt(Math.round(r.heapPeakMiB))} MiB`,
      ]),
    ),
    '',
  ].join('\n');
}
