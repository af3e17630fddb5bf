/**
 * What a decision costs on disk, and what retention gives back, measured on a real `npm start`
 * (scripts/system.ts: the Node edge, the in-process log, the embedded PGlite in a fresh data dir):
 *
 * 1. score N transactions through the public origin and wait until Postgres has them all;
 * 2. CHECKPOINT, then the data dir's bytes per decision and the transactions table's own;
 * 3. prune them as retention would 60 days later (its own code, a clock moved forward), VACUUM;
 * 4. score N more: the data dir grows by what was kept, not by N decisions again.
 *
 * Run: `npx tsx bench/retention-disk.ts [N]` (default 20,000). With DATABASE_URL set it measures
 * that PostgreSQL instead (the table's sizes; a server's data dir is not this run's alone).
 * docs/operations.md quotes the runs.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import postgres, { type Sql } from 'postgres';
import { BackplaneMetrics } from '../backplane/src/http/backplane-metrics.js';
import { startDecisionRetention } from '../backplane/src/retention/decision-retention.js';
import { startSystem } from '../scripts/system.js';

const N = Number(process.argv[2] ?? 20_000);
const BATCH = 1_000;

function bytesUnder(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of readdirSync(path)) n += bytesUnder(join(path, e));
  return n;
}

/**
 * This run's ids: with DATABASE_URL the database outlives the run, and ids an earlier run sent
 * would land as the duplicates they are (upserted by event_id), its rows would satisfy the wait
 * for this run's, and the sizes would measure nothing.
 */
const RUN = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const ID_PREFIX = `tx_disk_${RUN}_`;

/** This run's decisions in Postgres. */
async function count(sql: Sql): Promise<number> {
  const [r] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM transactions WHERE transaction_id LIKE ${`${ID_PREFIX}%`}`;
  return r?.n ?? 0;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-retention-disk-'));
  const pgdata = join(dir, 'pgdata');
  const databaseUrl = process.env.DATABASE_URL;
  const env = databaseUrl ? { DATABASE_URL: databaseUrl } : {};
  const system = await startSystem({ edge: 'node', env, port: 0, dataDir: dir });
  const sql = postgres(system.backplane.databaseUrl, { max: 1, onnotice: () => undefined });
  const disk = () => (databaseUrl ? 0 : bytesUnder(pgdata));
  // PGlite's files are written at a checkpoint; a server's CHECKPOINT needs a superuser.
  const checkpoint = async () => {
    if (!databaseUrl) await sql`CHECKPOINT`;
  };
  const auth = { authorization: `Bearer ${system.apiKey}`, 'content-type': 'application/json' };
  const score = async (round: number) => {
    const t = Date.now();
    for (let i = 0; i < N; i += BATCH) {
      const transactions = Array.from({ length: Math.min(BATCH, N - i) }, (_, j) => ({
        transaction_id: `${ID_PREFIX}${round}_${i + j}`,
        timestamp: new Date(t + i + j).toISOString(),
        customer_id: `c_disk_${(i + j) % 5_000}`,
        terminal_id: `t_disk_${(i + j) % 1_000}`,
        amount: 5 + ((i + j) % 200),
        currency: 'EUR',
      }));
      const r = await fetch(`${system.origin}/v1/score/batch`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ transactions }),
      });
      if (r.status !== 200) throw new Error(`batch answered ${r.status}: ${await r.text()}`);
    }
  };
  const landed = async (n: number) => {
    while ((await count(sql)) < n) await new Promise((r) => setTimeout(r, 500));
    await checkpoint();
  };
  try {
    await checkpoint();
    const base = disk();
    await score(1);
    await landed(N);
    const afterFirst = disk();
    const [rel] = await sql<{ table: number; heap: number }[]>`
      SELECT pg_total_relation_size('transactions')::float8 AS table,
             pg_relation_size('transactions')::float8 AS heap`;
    const wal = databaseUrl ? 0 : bytesUnder(join(pgdata, 'pg_wal'));
    const retention = startDecisionRetention({
      sql,
      days: 30,
      log: pino({ level: 'silent' }),
      metrics: new BackplaneMetrics({ processMetrics: false }),
      vacuum: true,
      intervalMs: 86_400_000,
      now: () => new Date(Date.now() + 60 * 86_400_000),
    });
    const t0 = performance.now();
    const pruned = await retention.runOnce();
    const pruneMs = performance.now() - t0;
    await retention.stop();
    const kept = await count(sql);
    await checkpoint();
    const afterPrune = disk();
    await score(2);
    await landed(kept + N);
    const afterSecond = disk();
    const [rel2] = await sql<{ table: number }[]>`
      SELECT pg_total_relation_size('transactions')::float8 AS table`;
    const perDecision = (b: number) => Math.round(b / N);
    console.log(
      JSON.stringify(
        {
          decisions: N,
          pgdata_bytes_per_decision: perDecision(afterFirst - base),
          transactions_table_bytes_per_decision: perDecision(rel!.table),
          transactions_heap_bytes_per_decision: perDecision(rel!.heap),
          pruned,
          kept_with_a_case_or_label: kept,
          prune_ms: Math.round(pruneMs),
          pg_wal_bytes_after_first: wal,
          transactions_table_bytes_after_second_round: rel2!.table,
          pgdata_bytes: { base, afterFirst, afterPrune, afterSecond },
          second_round_growth_bytes_per_decision: perDecision(afterSecond - afterPrune),
        },
        null,
        2,
      ),
    );
  } finally {
    await sql.end({ timeout: 1 });
    await system.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
