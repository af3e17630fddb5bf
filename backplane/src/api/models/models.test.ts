/**
 * The model registry on PGlite: registration good and bad, the lifecycle and its audit rows,
 * thresholds in the one table, the edges' sync and artifact route (models-api.suite.ts), and the
 * comparison against a plain computation (model-compare.suite.ts).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { apiHarness, startTestDb, type TestDb } from '../test-support.js';
import { checkModelCompare } from './model-compare.suite.js';
import { checkModelsApi } from './models-api.suite.js';

let db: TestDb;

beforeAll(async () => {
  db = await startTestDb();
}, 60_000);
afterAll(() => db.stop());

describe('the model registry on PGlite', () => {
  it('registers, refuses, moves models through their lifecycle, audits and syncs them', async () => {
    await checkModelsApi(apiHarness(db.sql).root, db.sql, 'lite');
  }, 120_000);

  it('compares champion and challenger over the stored decisions', async () => {
    await checkModelCompare(apiHarness(db.sql).root, db.sql, 'lite');
  }, 60_000);
});
