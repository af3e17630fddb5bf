/**
 * The backtest's model decision from the thresholds in force, on PostgreSQL 15 (a database of
 * its own: the deployed model's version has no row in it) — the suite PGlite runs.
 */
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { checkBacktestThresholds } from '../src/api/rules/backtest-thresholds.suite.js';
import { apiHarness } from '../src/api/test-support.js';
import { freshMigratedDatabase } from './support/services.js';

let sql: Sql;

beforeAll(async () => {
  sql = await freshMigratedDatabase('backtest_thresholds', 2);
});
afterAll(async () => {
  await sql?.end({ timeout: 1 });
});

describe('the backtest’s model decision on PostgreSQL 15', () => {
  it('is the score under the thresholds in force per model version, named in the answer', async () => {
    await checkBacktestThresholds(apiHarness(sql).root, sql, 'pg');
  }, 60_000);
});
