/**
 * The API's error handler against errors a real database raises (PGlite here; a real PostgreSQL in
 * backplane/test/api-bad-input.test.ts): a value Postgres refuses is a 400, never a 500.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castingApp, DATA_EXCEPTIONS } from './bad-input-table.js';
import { PROBLEM_CONTENT_TYPE } from '../http/problem.js';
import { startTestDb, type TestDb } from './test-support.js';

let db: TestDb;
beforeAll(async () => {
  db = await startTestDb();
}, 60_000);
afterAll(() => db.stop());

describe('apiErrorHandler', () => {
  it.each(DATA_EXCEPTIONS)('answers 400 when Postgres refuses $value as $cast', async (p) => {
    const app = castingApp(db.sql, pino({ level: 'silent' }));
    const res = await app.request(`/cast?cast=${p.cast}&v=${encodeURIComponent(p.value)}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    const body = (await res.json()) as { type: string; detail: string };
    expect(body.type).toBe('urn:vigil:problem:validation');
    // The database's own words (and any stack) stay in the log.
    expect(body.detail).not.toMatch(/out of range|invalid input|byte sequence/);
  });

  it('still answers 500 with an id for an error that is not the input', async () => {
    const app = castingApp(db.sql, pino({ level: 'silent' }));
    const res = await app.request('/cast?cast=no_such_type&v=1');
    expect(res.status).toBe(500);
    const body = (await res.json()) as { instance?: string };
    expect(body.instance).toMatch(/^urn:uuid:/);
  });
});
