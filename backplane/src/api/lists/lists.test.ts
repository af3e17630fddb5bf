import { afterAll, beforeAll, describe, it } from 'vitest';
import { apiHarness, startTestDb, type TestDb } from '../test-support.js';
import { checkListsApi } from './lists-api.suite.js';

let db: TestDb;
beforeAll(async () => {
  db = await startTestDb();
}, 60_000);
afterAll(() => db.stop());

describe('the lists API on PGlite', () => {
  it('creates lists, adds, pages and removes items, validated per kind, each change audited', async () => {
    const now = new Date();
    const h = apiHarness(db.sql, { now: () => now });
    await checkListsApi(h.root, db.sql, 'pgl', now);
    await h.api.close();
  });
});
