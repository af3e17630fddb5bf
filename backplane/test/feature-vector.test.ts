/** Migration 012's feature_vector on a real PostgreSQL 15 (feature-vector.suite.ts). */
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { migrate } from '../src/adapters/postgres/migrate.js';
import {
  checkBackfill,
  checkConsumerVector,
  checkVectorBacktest,
} from '../src/api/rules/feature-vector.suite.js';
import { createDatabase } from './support/services.js';

let sql: Sql;

beforeAll(async () => {
  sql = postgres(await createDatabase(`feature_vector_${Date.now().toString(36)}`), {
    max: 2,
    onnotice: () => undefined,
  });
  await migrate(sql);
});
afterAll(async () => {
  await sql?.end({ timeout: 1 });
});

describe('feature_vector (migration 012) on PostgreSQL 15', () => {
  it('is written by the consumer in FEATURE_NAMES order, NaN where a feature is absent', async () => {
    await checkConsumerVector(sql);
  });

  it('is backfilled by the migration from the json, except for rows the json path cannot cast', async () => {
    await checkBackfill(sql);
  });

  it('gives a backtest the same counts from the vector as from the json, and as a recount', async () => {
    await checkVectorBacktest(sql);
  });
});
