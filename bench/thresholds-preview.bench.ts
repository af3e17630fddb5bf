/**
 * The thresholds preview (POST /api/thresholds/preview) over 100k and 1M stored decisions, on
 * PGlite (the embedded default) and on PostgreSQL 15: rows/s of the whole replay — keyset pages
 * read by postgres.js, each row decided by core's engine — and the process's memory peak, which
 * stays one page whatever the window holds. Issue 16's target: 1M decisions in ≤ 10 s.
 *
 * Rows are written by Postgres itself (INSERT … SELECT over generate_series): as wide as the
 * consumer writes them (features and reasons json as the edge sends them), most approved and
 * unlabelled, a few decided by a rule.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FEATURE_NAMES } from '@vigil/core';
import { pino } from 'pino';
import type { Sql } from 'postgres';
import { migrate } from '../backplane/src/adapters/postgres/migrate.js';
import { openDatabase } from '../backplane/src/adapters/postgres/open-database.js';
import { runPreview } from '../backplane/src/api/thresholds/preview-query.js';
import { startPostgres, stopPostgres } from '../scripts/services/postgres-test-setup.js';
import { POSTGRES_PORT, runDatabase, service } from './backplane-setup.js';
import { fmt, fmtInt, table } from './stats.js';

/** Decisions stored, in turn (VIGIL_BENCH_PREVIEW_SIZES=10000,20000 for a quick look). */
const SIZES = (process.env.VIGIL_BENCH_PREVIEW_SIZES ?? '100000,1000000').split(',').map(Number);
const MODEL = 'gbdt-bench';
/** Target of issue 16: 1M stored decisions replayed in 10 s. */
const TARGET_S = 10;
const RUNS = 3;

/** A features object as the edge stores it: every feature by name, a number each. */
const FEATURES_SQL = `'{' || ${FEATURE_NAMES.map(
  (f, i) => `'"${f}":' || round((random() * ${10 + i})::numeric, 4)`,
).join(` || ',' || `)} || '}'`;

/** Add decisions `from`…`to - 1` (ids), over the last 20 days, in statements of 100k rows. */
async function fill(sql: Sql, from: number, to: number): Promise<void> {
  for (let a = from; a < to; a += 100_000) {
    const b = Math.min(to, a + 100_000) - 1;
    await sql.unsafe(`
      INSERT INTO transactions (transaction_id, event_id, ts, customer_id, terminal_id, amount,
        currency, score, decision, reasons, features, model_version, degraded, scored_at, runtime,
        latency_ms, label, rules)
      SELECT 'tx_' || i, 'dec:tx_' || i, at, 'c_' || (i % 5000), 't_' || (i % 10000),
        round((random() * 300)::numeric, 2), 'EUR', s,
        CASE WHEN s >= 0.8 THEN 'decline' WHEN s >= 0.3 THEN 'review' ELSE 'approve' END,
        '[{"code":"AMOUNT_HIGH","feature":"amount","contribution":0.41}]',
        (${FEATURES_SQL})::json, '${MODEL}', false, at, 'node', 0.8,
        CASE WHEN r < 0.05 THEN 'fraud' WHEN r < 0.25 THEN 'legitimate' END,
        CASE WHEN r > 0.97 THEN '[{"id":"block_listed_customers","action":"block"}]'::jsonb END
      FROM (
        SELECT i, power(random(), 4) AS s, random() AS r,
          now() - interval '20 days' + (i::float8 / ${to}) * interval '19 days' AS at
        FROM generate_series(${a}, ${b}) AS i
      ) g`);
  }
  await sql.unsafe('VACUUM ANALYZE transactions');
}

interface Measured {
  readonly rows: number;
  readonly firstS: number;
  readonly bestS: number;
  readonly rssPeakMb: number;
  readonly heapPeakMb: number;
  readonly liveHeapPeakMb: number;
}

/**
 * V8's collector, to measure what a run keeps alive rather than the garbage V8 has not collected
 * yet (heapUsed between collections grows with the pages read, live memory does not).
 */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Replay the whole table RUNS times; the peak memory of the process while doing it. */
async function measure(sql: Sql, expected: number): Promise<Measured> {
  const q = {
    modelVersion: MODEL,
    from: new Date(Date.now() - 30 * 86_400_000),
    to: new Date(),
    proposed: { review: 0.25, decline: 0.9 },
    current: { review: 0.3, decline: 0.8 },
  };
  collector()();
  const base = process.memoryUsage();
  let rss = base.rss;
  let heap = base.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 20);
  const times: number[] = [];
  try {
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      const tally = await runPreview(sql, q);
      times.push((performance.now() - t0) / 1000);
      if (tally.evaluated !== expected) {
        throw new Error(`preview saw ${tally.evaluated} decisions, ${expected} stored`);
      }
    }
  } finally {
    clearInterval(sampler);
  }
  // One more run, untimed, with a full collection every 100 ms: the live heap's peak.
  const gc = collector();
  gc();
  const liveBase = process.memoryUsage().heapUsed;
  let live = liveBase;
  const collecting = setInterval(() => {
    gc();
    live = Math.max(live, process.memoryUsage().heapUsed);
  }, 100);
  try {
    await runPreview(sql, q);
  } finally {
    clearInterval(collecting);
  }
  return {
    rows: expected,
    firstS: times[0]!,
    bestS: Math.min(...times),
    rssPeakMb: (rss - base.rss) / 2 ** 20,
    heapPeakMb: (heap - base.heapUsed) / 2 ** 20,
    liveHeapPeakMb: (live - liveBase) / 2 ** 20,
  };
}

async function bothSizes(sql: Sql): Promise<Measured[]> {
  const out: Measured[] = [];
  let have = 0;
  for (const n of SIZES) {
    process.stderr.write(`bench: thresholds preview: filling to ${fmtInt(n)} decisions…\n`);
    await fill(sql, have, n);
    have = n;
    out.push(await measure(sql, n));
  }
  return out;
}

async function onPglite(): Promise<Measured[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-preview-'));
  const db = await openDatabase({ url: null, dataDir: dir, log: pino({ level: 'silent' }) });
  try {
    return await bothSizes(db.sql);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function onPostgres(): Promise<Measured[]> {
  const pg = await service('postgres.sh', POSTGRES_PORT, startPostgres, stopPostgres);
  const adminUrl = `postgres://vigil:vigil@127.0.0.1:${POSTGRES_PORT}/vigil`;
  const db = await runDatabase(adminUrl, `bench_preview_${Date.now().toString(36)}`, 10);
  try {
    await migrate(db.sql);
    return await bothSizes(db.sql);
  } finally {
    await db.drop();
    await pg.stop();
  }
}

/** The thresholds preview section of docs/benchmarks.md. */
export async function benchThresholdsPreview(): Promise<string> {
  const rows: string[][] = [];
  for (const [name, run] of [
    ['PGlite (embedded)', onPglite],
    ['PostgreSQL 15', onPostgres],
  ] as const) {
    for (const m of await run()) {
      rows.push([
        name,
        fmtInt(m.rows),
        `${fmt(m.firstS, 2)} s`,
        `${fmt(m.bestS, 2)} s`,
        fmtInt(Math.round(m.rows / m.bestS)),
        m.rows === 1_000_000 ? `${fmt((m.bestS / TARGET_S) * 100, 0)} %` : '',
        `${fmt(m.rssPeakMb, 0)} MB`,
        `${fmt(m.heapPeakMb, 0)} MB`,
        `${fmt(m.liveHeapPeakMb, 1)} MB`,
      ]);
    }
  }
  return [
    '## Thresholds preview (`POST /api/thresholds/preview`)',
    '',
    `Every stored decision of one model in the window replayed under two pairs of thresholds (the proposal and those in force) and binned: keyset pages of 10,000 rows read by postgres.js, each row decided by core's engine (\`decide\` and the rules' precedence). Rows written as the consumer writes them (features and reasons json); 3 % decided by a block rule. ${RUNS} runs each, one after the other; memory is the benchmark process's growth over its state before the runs: RSS (with PGlite, which runs in this process, its own memory included) and the V8 heap as sampled (garbage not yet collected included), and the live heap — sampled after a full collection every 100 ms during one more run — which is what the replay keeps: about one page, whatever the window holds. Target: 1M decisions in ≤ ${TARGET_S} s.`,
    '',
    table(
      [
        'database',
        'decisions',
        'first run',
        'best run',
        'rows/s (best)',
        'share of 10 s',
        'RSS peak',
        'heap peak',
        'live heap peak',
      ],
      rows,
    ),
    '',
  ].join('\n');
}
