/**
 * The drift job on PGlite: PSI of the champion's score and features over the window against its
 * training reference, equal to Postgres's own computation of it; stored, on /metrics, and served
 * by GET /api/drift. backplane/test/drift.test.ts runs the same scenario on a real PostgreSQL.
 */
import { DRIFT_TOP_FEATURES, type DriftAnswer } from '@vigil/core';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { registerBody, trainedTestModel } from '../api/models/model-fixtures.js';
import { apiHarness, bearer, startTestDb, type TestDb } from '../api/test-support.js';
import type { DriftChampion } from './drift-champion.js';
import { latestDriftRun } from './drift-store.js';
import { BackplaneMetrics } from '../http/backplane-metrics.js';
import { pino } from 'pino';
import { startDriftMonitor } from './drift-monitor.js';
import { registryChampion } from './registry-champion.js';
import {
  CHAMPION,
  driftFor,
  expectedPsi,
  IN_WINDOW,
  NOW,
  REFERENCE,
  seedDrift,
} from './drift-scenario.js';

let db: TestDb;
beforeEach(async () => {
  db = await startTestDb();
  await seedDrift(db.sql);
}, 60_000);
afterEach(() => db.stop());

it("computes the champion's PSI over the window as Postgres does, stores it and sets the gauges", async () => {
  const { monitor, gauges } = driftFor(db.sql, { version: CHAMPION, reference: REFERENCE });
  const run = await monitor.runOnce();
  await monitor.stop();
  const want = await expectedPsi(db.sql);
  expect(run).not.toBeNull();
  expect(run!.status).toBe('ok');
  expect(run!.rows).toBe(IN_WINDOW);
  expect(run!.model_version).toBe(CHAMPION);
  expect(run!.score_psi).toBeCloseTo(want.score, 9);
  const byName = Object.fromEntries(run!.features.map((f) => [f.feature, f.psi]));
  expect(Object.keys(byName).sort()).toEqual(['amount', 'hour_of_day']);
  expect(byName.amount).toBeCloseTo(want.features.amount!, 9);
  expect(byName.hour_of_day).toBeCloseTo(want.features.hour_of_day!, 9);
  // The scenario drifts the score and the amount (red), not the hour.
  expect(want.score).toBeGreaterThan(0.25);
  expect(want.features.hour_of_day).toBeLessThan(0.1);
  expect(run!.level).toBe('red');
  expect(run!.max_psi).toBe(Math.max(run!.score_psi!, ...run!.features.map((f) => f.psi)));
  expect(await gauges()).toEqual({
    score: run!.score_psi,
    amount: byName.amount,
    hour_of_day: byName.hour_of_day,
  });

  const res = await apiHarness(db.sql).root.request('/api/drift', { headers: bearer() });
  expect(res.status).toBe(200);
  const body = (await res.json()) as DriftAnswer;
  // The times as every other route answers them: UTC, milliseconds, Z.
  expect(body.latest).toEqual(run);
  expect(body.latest!.computed_at).toBe(NOW.toISOString());
  expect(body.top).toEqual(run!.features.slice(0, DRIFT_TOP_FEATURES));
});

it('reads the newest decisions of the window only up to maxRows, page by page', async () => {
  const { monitor } = driftFor(db.sql, { version: CHAMPION, reference: REFERENCE }, 1_000);
  const run = await monitor.runOnce();
  await monitor.stop();
  expect(run!.rows).toBe(1_000);
});

it('says no reference for a champion without one, and sets no gauge', async () => {
  const { monitor, gauges } = driftFor(db.sql, { version: CHAMPION, reference: null });
  const run = await monitor.runOnce();
  await monitor.stop();
  expect(run).toMatchObject({
    status: 'no_reference',
    rows: IN_WINDOW,
    score_psi: null,
    level: null,
    features: [],
  });
  expect(await gauges()).toEqual({});
});

it('names the served model from the newest decision when none is registered', async () => {
  const { monitor } = driftFor(db.sql, null);
  const run = await monitor.runOnce();
  await monitor.stop();
  // tx_at_now (the champion's, at the window's exclusive end) is the newest decision stored.
  expect(run).toMatchObject({ status: 'no_reference', model_version: CHAMPION });
});

it("takes the registry's champion and the reference in its metadata", async () => {
  const h = apiHarness(db.sql);
  const { onnx, metadata } = await trainedTestModel(CHAMPION);
  const post = (path: string, body?: unknown) =>
    h.root.request(path, {
      method: 'POST',
      headers: bearer(),
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const drift = () =>
    startDriftMonitor({
      sql: db.sql,
      champion: registryChampion(db.sql),
      windowMinutes: 60,
      log: pino({ level: 'silent' }),
      metrics: new BackplaneMetrics({ processMetrics: false }),
      intervalMs: 86_400_000,
      now: () => NOW,
    });
  // Registered, not promoted: no champion yet, so no reference.
  expect((await post('/api/models', registerBody(onnx, metadata))).status).toBe(201);
  let monitor = drift();
  expect(await monitor.runOnce()).toMatchObject({ status: 'no_reference' });
  await monitor.stop();
  expect((await post(`/api/models/${CHAMPION}/promote`)).status).toBe(200);
  monitor = drift();
  const run = await monitor.runOnce();
  await monitor.stop();
  const want = await expectedPsi(db.sql, metadata.reference);
  expect(run).toMatchObject({ status: 'ok', model_version: CHAMPION, rows: IN_WINDOW });
  expect(run!.score_psi).toBeCloseTo(want.score, 9);
  expect(run!.features.find((f) => f.feature === 'amount')!.psi).toBeCloseTo(
    want.features.amount!,
    9,
  );
}, 60_000);

it('answers latest null before the first run', async () => {
  const res = await apiHarness(db.sql).root.request('/api/drift', { headers: bearer() });
  expect(await res.json()).toEqual({ latest: null, top: [] });
});

it('runs at once on a change of champion (a promotion), not an hour later', async () => {
  // First no champion's decisions at all (another model is named), then a promotion: the run of
  // the new champion comes at the next check, not an hour later.
  let champion: DriftChampion = { version: 'other-model', reference: REFERENCE };
  const monitor = startDriftMonitor({
    sql: db.sql,
    champion: () => Promise.resolve(champion),
    windowMinutes: 60,
    log: pino({ level: 'silent' }),
    metrics: new BackplaneMetrics({ processMetrics: false }),
    intervalMs: 86_400_000,
    retryMs: 86_400_000,
    checkMs: 20,
    now: () => NOW,
  });
  try {
    await vi.waitFor(
      async () => {
        expect(await latestDriftRun(db.sql)).toMatchObject({
          status: 'no_data',
          model_version: 'other-model',
        });
      },
      { timeout: 30_000, interval: 50 },
    );
    champion = { version: CHAMPION, reference: REFERENCE };
    await vi.waitFor(
      async () => {
        expect(await latestDriftRun(db.sql)).toMatchObject({
          status: 'ok',
          model_version: CHAMPION,
          rows: IN_WINDOW,
        });
      },
      { timeout: 30_000, interval: 50 },
    );
  } finally {
    await monitor.stop();
  }
}, 60_000);
