/**
 * The drift job on a real PostgreSQL 15: the scenario of backplane/src/drift (the champion's PSI
 * over the window equal to Postgres's own width_bucket/PSI computation), and two backplanes running
 * at once store one run each at most, without an error.
 */
import type { Sql } from 'postgres';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  CHAMPION,
  driftFor,
  expectedPsi,
  IN_WINDOW,
  REFERENCE,
  seedDrift,
} from '../src/drift/drift-scenario.js';
import { latestDriftRun } from '../src/drift/drift-store.js';
import { freshMigratedDatabase } from './support/services.js';

let sql: Sql;
beforeEach(async () => {
  sql = await freshMigratedDatabase('drift', 4);
  await seedDrift(sql);
});
afterEach(() => sql.end({ timeout: 1 }));

const champion = { version: CHAMPION, reference: REFERENCE };

it("computes the champion's PSI over the window as Postgres does, and stores it", async () => {
  const { monitor, gauges } = driftFor(sql, champion, 1_000_000);
  const run = await monitor.runOnce();
  await monitor.stop();
  const want = await expectedPsi(sql);
  expect(run).toMatchObject({ status: 'ok', rows: IN_WINDOW, model_version: CHAMPION });
  expect(run!.score_psi).toBeCloseTo(want.score, 9);
  for (const [name, psi] of Object.entries(want.features))
    expect(run!.features.find((f) => f.feature === name)!.psi).toBeCloseTo(psi, 9);
  expect((await gauges()).score).toBe(run!.score_psi);
  expect(await latestDriftRun(sql)).toEqual({
    ...run,
    computed_at: expect.any(String) as string,
    from: expect.any(String) as string,
    to: expect.any(String) as string,
  });
});

it('lets two backplanes run together: no error, and each stored run is the same', async () => {
  const a = driftFor(sql, champion);
  const b = driftFor(sql, champion);
  const runs = await Promise.all([a.monitor.runOnce(), b.monitor.runOnce()]);
  await Promise.all([a.monitor.stop(), b.monitor.stop()]);
  const done = runs.filter((r) => r !== null);
  expect(done.length).toBeGreaterThanOrEqual(1);
  const [n] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM drift_runs`;
  expect(n!.n).toBe(done.length);
  for (const r of done) expect(r.score_psi).toBe(done[0]!.score_psi);
});
