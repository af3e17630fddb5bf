/**
 * Thresholds on a real PostgreSQL 15 (issue 16): the suite PGlite runs — the preview checked
 * against a plain computation over a known set of decisions, thresholds set with their audit rows
 * and handed to the edges' sync.
 */
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { checkThresholdsApi } from '../src/api/thresholds/thresholds-api.suite.js';
import { apiHarness } from '../src/api/test-support.js';
import { freshMigratedDatabase } from './support/services.js';

let sql: Sql;

beforeAll(async () => {
  sql = await freshMigratedDatabase('thresholds', 4);
});
afterAll(async () => {
  await sql?.end({ timeout: 1 });
});

describe('thresholds on PostgreSQL 15', () => {
  it('previews, sets, audits and syncs thresholds per model version', async () => {
    const now = new Date();
    await checkThresholdsApi(apiHarness(sql, { now: () => now }).root, sql, 'pg', now);
  }, 60_000);
});
