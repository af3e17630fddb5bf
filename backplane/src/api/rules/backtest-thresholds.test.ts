/**
 * The backtest's model decision from the thresholds in force, on PGlite (a database of its own:
 * the deployed model's version has no row in it).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { apiHarness, startTestDb, type TestDb } from '../test-support.js';
import { checkBacktestThresholds } from './backtest-thresholds.suite.js';

let db: TestDb;

beforeAll(async () => {
  db = await startTestDb();
}, 60_000);
afterAll(() => db.stop());

describe('the backtest’s model decision on PGlite', () => {
  it('is the score under the thresholds in force per model version, named in the answer', async () => {
    await checkBacktestThresholds(apiHarness(db.sql).root, db.sql, 'lite');
  }, 60_000);
});
