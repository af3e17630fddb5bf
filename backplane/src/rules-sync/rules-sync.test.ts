import { afterAll, beforeAll, describe, it } from 'vitest';
import { startTestDb, type TestDb } from '../api/test-support.js';
import { checkRulesSync } from './rules-sync.suite.js';

let db: TestDb;
beforeAll(async () => {
  db = await startTestDb();
}, 60_000);
afterAll(() => db.stop());

describe('POST /internal/rules/sync on PGlite', () => {
  it('answers the ruleset when it changed and list changes after the cursor, in pages', async () => {
    await checkRulesSync(db.sql, 'pgl');
  });
});
