/**
 * The thresholds API on PGlite: the preview checked against a plain computation over a known set
 * of decisions, setting thresholds with their audit rows, and handing them to the edges' sync.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { apiHarness, startTestDb, type TestDb } from '../test-support.js';
import { checkThresholdsApi } from './thresholds-api.suite.js';

let db: TestDb;

beforeAll(async () => {
  db = await startTestDb();
}, 60_000);
afterAll(() => db.stop());

describe('the thresholds API on PGlite', () => {
  it('previews, sets, audits and syncs thresholds per model version', async () => {
    const now = new Date();
    await checkThresholdsApi(apiHarness(db.sql, { now: () => now }).root, db.sql, 'lite', now);
  }, 60_000);
});
