/**
 * Retention on PGlite (the embedded default, VACUUM included): old unlabelled decisions without a
 * case go, in batches; labelled ones, ones with a case or a verdict, and recent ones stay.
 * backplane/test/retention.test.ts runs the same scenario on a real PostgreSQL.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startTestDb, type TestDb } from '../api/test-support.js';
import {
  DOOMED,
  expectOnlyKeptLeft,
  remaining,
  retentionFor,
  seedRetention,
} from './retention-scenario.js';

let db: TestDb;
beforeEach(async () => {
  db = await startTestDb();
  await seedRetention(db.sql);
}, 60_000);
afterEach(() => db.stop());

it('prunes old unlabelled decisions without a case, and keeps the rest with their records', async () => {
  const { retention, pruned } = retentionFor(db.sql, { vacuum: true });
  // The run started at start (startDecisionRetention ticks once); runOnce joins or follows it.
  await retention.runOnce();
  await retention.stop();
  await expectOnlyKeptLeft(db.sql);
  expect(await pruned()).toBe(DOOMED);
  // A second run finds nothing more, and keeps what it kept.
  const again = retentionFor(db.sql, { vacuum: true });
  expect(await again.retention.runOnce()).toBe(0);
  await again.retention.stop();
  await expectOnlyKeptLeft(db.sql);
});

it('keeps every decision with 0 days', async () => {
  const { retention, pruned } = retentionFor(db.sql, { days: 0, vacuum: true });
  expect(await retention.runOnce()).toBe(0);
  await retention.stop();
  expect((await remaining(db.sql)).length).toBe(DOOMED + 4);
  expect(await pruned()).toBe(0);
});
