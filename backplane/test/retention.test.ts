/**
 * Retention on a real PostgreSQL 15: the scenario of backplane/src/retention (old unlabelled
 * decisions without a case go; labelled, cased, verdict-bearing and recent ones stay), and two
 * backplanes pruning at once delete each decision once, without an error.
 */
import type { Sql } from 'postgres';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  DOOMED,
  expectOnlyKeptLeft,
  retentionFor,
  seedRetention,
} from '../src/retention/retention-scenario.js';
import { freshMigratedDatabase } from './support/services.js';

let sql: Sql;
beforeEach(async () => {
  sql = await freshMigratedDatabase('retention', 4);
  await seedRetention(sql);
});
afterEach(() => sql.end({ timeout: 1 }));

it('prunes old unlabelled decisions without a case, and keeps the rest with their records', async () => {
  const { retention, pruned } = retentionFor(sql, { vacuum: false });
  await retention.runOnce();
  await retention.stop();
  await expectOnlyKeptLeft(sql);
  expect(await pruned()).toBe(DOOMED);
});

it('lets two backplanes prune together: each decision deleted once, no error', async () => {
  const a = retentionFor(sql, { vacuum: true });
  const b = retentionFor(sql, { vacuum: true });
  await Promise.all([a.retention.runOnce(), b.retention.runOnce()]);
  // Whichever held the lock at a given batch, the rest is left for the next run: run once more.
  await Promise.all([a.retention.runOnce(), b.retention.runOnce()]);
  await Promise.all([a.retention.stop(), b.retention.stop()]);
  await expectOnlyKeptLeft(sql);
  expect((await a.pruned()) + (await b.pruned())).toBe(DOOMED);
});
