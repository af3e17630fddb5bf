import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { simulate, toRecord, writeNdjsonDataset } from '@vigil/sim';

const run = promisify(execFile);
const CLI = new URL('./backtest.ts', import.meta.url).pathname;
const ROOT = new URL('../../../', import.meta.url).pathname;

const rowSchema = z.strictObject({
  transaction_id: z.string(),
  score: z.number().check(z.gte(0), z.lte(1)),
  decision: z.enum(['approve', 'review', 'decline']),
  reasons: z.array(
    z.strictObject({ code: z.string(), feature: z.string(), contribution: z.number() }),
  ),
});

async function backtest(input: string, output: string) {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', CLI, '--in', input, '--out', output],
    {
      cwd: ROOT,
      maxBuffer: 1 << 24,
    },
  );
  const lines = (await readFile(output, 'utf8')).trim().split('\n');
  return {
    summary: JSON.parse(stdout) as Record<string, unknown>,
    rows: lines.map((l) => z.parse(rowSchema, JSON.parse(l))),
  };
}

describe('npm run backtest', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-backtest-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('scores every transaction in event-time order, whatever the file order, and reports metrics', async () => {
    const ds = simulate({ customers: 300, terminals: 600, days: 60, seed: 7 });
    const sorted = join(dir, 'sorted.ndjson');
    await writeNdjsonDataset(ds, sorted);
    // The same transactions, lines reversed: the replay must sort them back by event time.
    const lines = Array.from({ length: ds.length }, (_, i) =>
      JSON.stringify(toRecord(ds, i)),
    ).reverse();
    const shuffled = join(dir, 'reversed.ndjson');
    await writeFile(shuffled, lines.join('\n') + '\n');

    const a = await backtest(sorted, join(dir, 'a.out'));
    const b = await backtest(shuffled, join(dir, 'b.out'));
    expect(a.rows).toHaveLength(ds.length);
    expect(a.rows.map((r) => r.transaction_id)).toEqual(
      Array.from({ length: ds.length }, (_, i) => `tx_${i}`),
    );
    const byId = new Map(b.rows.map((r) => [r.transaction_id, r]));
    for (const r of a.rows) expect(byId.get(r.transaction_id)).toEqual(r);

    const all = a.summary.all as { auc: number; ap: number; frauds: number };
    expect(all.frauds).toBeGreaterThan(0);
    expect(all.auc).toBeGreaterThan(0.7);
    expect(a.rows.some((r) => r.decision !== 'approve')).toBe(true);
    expect(a.summary.handbook_test_week).toBeUndefined(); // 60 days from 2018-04-01 do not reach it
  }, 120_000);

  it('exits 2 with a usage message when arguments are missing', async () => {
    await expect(
      run(process.execPath, ['--import', 'tsx', CLI], { cwd: ROOT }),
    ).rejects.toMatchObject({ code: 2 });
  });
});
