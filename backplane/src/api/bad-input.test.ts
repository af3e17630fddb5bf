/**
 * Bad input is always a 4xx: every parameter of every /api route, over PGlite (the embedded
 * default). backplane/test/api-bad-input.test.ts runs the same table on a real PostgreSQL; the
 * handler's own fallback for a database "data exception" is tested in error-handler.test.ts.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  badInputs,
  expectAccepted,
  expectRefused,
  goodEdges,
  seedTable,
} from './bad-input-table.js';
import { apiHarness, startTestDb, type ApiHarness, type TestDb } from './test-support.js';

let db: TestDb;
let h: ApiHarness;

beforeAll(async () => {
  db = await startTestDb();
  await seedTable(db.sql);
  h = apiHarness(db.sql);
}, 60_000);
afterAll(async () => {
  await h.api.close();
  await db.stop();
});

describe('every /api parameter refuses what PGlite cannot hold', () => {
  it.each(
    badInputs().map((b) => [`${b.method} ${b.url.slice(0, 100)} → ${b.pointer}`, b] as const),
  )('%s', async (_name, b) => {
    await expectRefused(h.root, b);
  });
  it.each(goodEdges())('answers 200 at the edge of the limits: %s', async (url) => {
    await expectAccepted(h.root, url);
  });
});
