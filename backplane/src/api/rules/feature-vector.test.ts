/** Migration 012's feature_vector on PGlite (feature-vector.suite.ts). */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startTestDb, type TestDb } from '../test-support.js';
import { checkBackfill, checkConsumerVector, checkVectorBacktest } from './feature-vector.suite.js';

let db: TestDb;

beforeAll(async () => {
  db = await startTestDb();
}, 60_000);
afterAll(() => db.stop());

describe('feature_vector (migration 012) on PGlite', () => {
  it('is written by the consumer in FEATURE_NAMES order, NaN where a feature is absent', async () => {
    await checkConsumerVector(db.sql);
  });

  it('is backfilled by the migration from the json, except for rows the json path cannot cast', async () => {
    await checkBackfill(db.sql);
  });

  it('gives a backtest the same counts from the vector as from the json, and as a recount', async () => {
    await checkVectorBacktest(db.sql);
  });
});
