/**
 * The model registry on a real PostgreSQL 15 (issue 18): the suites PGlite runs — registration
 * good and bad, the lifecycle with its audit rows, thresholds in the one table, the edges' sync and
 * signed artifact route, and the comparison against a plain computation.
 */
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { checkModelCompare } from '../src/api/models/model-compare.suite.js';
import { checkModelsApi } from '../src/api/models/models-api.suite.js';
import { apiHarness } from '../src/api/test-support.js';
import { freshMigratedDatabase } from './support/services.js';

let sql: Sql;

beforeAll(async () => {
  sql = await freshMigratedDatabase('models', 4);
});
afterAll(async () => {
  await sql?.end({ timeout: 1 });
});

describe('the model registry on PostgreSQL 15', () => {
  it('registers, refuses, moves models through their lifecycle, audits and syncs them', async () => {
    await checkModelsApi(apiHarness(sql).root, sql, 'pg');
  }, 120_000);

  it('compares champion and challenger over the stored decisions', async () => {
    await checkModelCompare(apiHarness(sql).root, sql, 'pg');
  }, 60_000);
});
