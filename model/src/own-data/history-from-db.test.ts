/**
 * `train --from-db` against a real database: the embedded PGlite the backplane keeps, with the
 * backplane's own migrations (read as files) and decisions and verdicts as its consumer stores
 * them.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { parseTrainedModelMetadata } from '@vigil/core';
import { takeDirLock } from '@vigil/node-runtime';
import { simulate } from '@vigil/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistoryFromDatabase } from './history-from-db.js';

const exec = promisify(execFile);
const ROOT = new URL('../../../', import.meta.url).pathname;
const MIGRATIONS = join(ROOT, 'backplane/migrations');
const TRAIN = join(ROOT, 'model/src/cli/train.ts');
const VERDICT_AFTER_S = 2 * 86_400;

const ds = simulate({ seed: 77, customers: 500, terminals: 1000, days: 60, start: '2023-01-01' });
const iso = (sec: number) => new Date(sec * 1000).toISOString();

describe('train --from-db on the embedded database', () => {
  let dataDir = '';
  let frauds = 0;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-train-db-'));
    await mkdir(join(dataDir, 'pgdata'));
    const db = await PGlite.create(join(dataDir, 'pgdata'));
    for (const f of (await readdir(MIGRATIONS)).filter((n) => n.endsWith('.sql')).sort())
      await db.exec(await readFile(join(MIGRATIONS, f), 'utf8'));
    // Decisions as the consumer stores them, newest first to show the order is the query's; each
    // fraud with its verdict 2 days later, every tenth legitimate payment confirmed as such.
    const rows = Array.from({ length: ds.length }, (_, k) => ds.length - 1 - k).map((i) => {
      const fraud = ds.isFraud[i] === 1;
      if (fraud) frauds++;
      const verdict = fraud ? 'fraud' : i % 10 === 0 ? 'legitimate' : null;
      return {
        transaction_id: `tx_${i}`,
        event_id: `dec:tx_${i}`,
        ts: iso(ds.timeSec[i]!),
        customer_id: `c_${ds.customer[i]!}`,
        terminal_id: `t_${ds.terminal[i]!}`,
        amount: ds.amount[i]!,
        label: verdict,
        label_ts: verdict === null ? null : iso(ds.timeSec[i]! + VERDICT_AFTER_S),
      };
    });
    for (let from = 0; from < rows.length; from += 5000) {
      await db.query(
        `INSERT INTO transactions (transaction_id, event_id, ts, customer_id, terminal_id, amount,
           score, decision, reasons, features, model_version, degraded, scored_at, runtime,
           latency_ms, label, label_ts)
         SELECT transaction_id, event_id, ts, customer_id, terminal_id, amount, 0.1, 'approve',
           '[]', '{}', 'gbdt-test', false, ts, 'node', 1, label, label_ts
         FROM json_to_recordset($1::json) AS r(transaction_id text, event_id text,
           ts timestamptz, customer_id text, terminal_id text, amount float8, label text,
           label_ts timestamptz)`,
        [JSON.stringify(rows.slice(from, from + 5000))],
      );
    }
    await db.close();
  }, 120_000);

  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('reads every decision in time order, labelled by its latest verdict at that verdict’s time', async () => {
    const { history, description } = await readHistoryFromDatabase(() => {}, {
      VIGIL_DATA_DIR: dataDir,
    });
    expect(description).toContain(join(dataDir, 'pgdata'));
    expect(history.length).toBe(ds.length);
    expect(history.isFraud.reduce((s, v) => s + v, 0)).toBe(frauds);
    for (let i = 0; i < history.length; i++) {
      expect(history.timeSec[i]).toBe(ds.timeSec[i]);
      expect(history.amount[i]).toBe(ds.amount[i]);
      if (history.isFraud[i] === 1)
        expect(history.labelTimeSec![i]).toBe(ds.timeSec[i]! + VERDICT_AFTER_S);
    }
  });

  it('trains from it through the CLI, and refuses while the backplane holds the database', async () => {
    const env = { ...process.env, VIGIL_DATA_DIR: dataDir, DATABASE_URL: '' };
    const out = join(dataDir, 'model');
    const { stdout } = await exec(
      process.execPath,
      ['--import', 'tsx', TRAIN, '--from-db', '--out', out, '--trees', '20'],
      { cwd: ROOT, env, maxBuffer: 1 << 24 },
    );
    const m = parseTrainedModelMetadata(
      JSON.parse(await readFile(join(out, 'metadata.json'), 'utf8')),
    );
    expect(m.training.source).toBe('database');
    expect(m.training.transactions).toBe(ds.length);
    expect(m.training.train_window.start).toBe('2023-01-01');
    expect(JSON.parse(stdout)).toMatchObject({ version: m.version });
    expect(await readFile(join(out, 'report.md'), 'utf8')).toContain(
      'stored decisions and verdicts',
    );

    const lock = await takeDirLock(join(dataDir, 'pgdata'), 'VIGIL_DATA_DIR');
    try {
      const refused = await exec(
        process.execPath,
        ['--import', 'tsx', TRAIN, '--from-db', '--out', out],
        {
          cwd: ROOT,
          env,
        },
      ).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/stop Vigil, or set DATABASE_URL/);
      // The variable as it was set, and the directory inside it that is locked.
      expect(refused.stderr).toContain(
        `the embedded database ${join(dataDir, 'pgdata')} (in VIGIL_DATA_DIR=${dataDir}) is in use by process ${process.pid}`,
      );
    } finally {
      await lock.release();
    }
  });

  it('says when there is no database to read', async () => {
    await expect(
      readHistoryFromDatabase(() => {}, { VIGIL_DATA_DIR: join(dataDir, 'nowhere') }),
    ).rejects.toThrow(/DATABASE_URL is not set and there is no embedded database/);
  });
});
