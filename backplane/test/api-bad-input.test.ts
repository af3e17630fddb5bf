/**
 * Bad input is always a 4xx, on a real PostgreSQL 15: the table of bad values per parameter that
 * backplane/src/api/bad-input.test.ts runs on PGlite, and the error handler's fallback for a
 * "data exception" (SQLSTATE class 22) raised by the server itself.
 */
import { pino } from 'pino';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  badInputs,
  castingApp,
  DATA_EXCEPTIONS,
  expectAccepted,
  expectRefused,
  goodEdges,
  seedTable,
} from '../src/api/bad-input-table.js';
import { apiHarness, type ApiHarness } from '../src/api/test-support.js';
import { freshMigratedDatabase } from './support/services.js';

let sql: Sql;
let h: ApiHarness;

beforeAll(async () => {
  sql = await freshMigratedDatabase('api_bad_input');
  await seedTable(sql);
  h = apiHarness(sql);
});
afterAll(async () => {
  await h?.api.close();
  await sql?.end({ timeout: 1 });
});

describe('every /api parameter refuses what PostgreSQL cannot hold', () => {
  it('refuses each bad value with a 400 naming its parameter', async () => {
    const all = badInputs();
    for (const b of all) await expectRefused(h.root, b);
    expect(all.length).toBeGreaterThan(150);
  });
  it('answers 200 at the edge of the limits', async () => {
    for (const url of goodEdges()) await expectAccepted(h.root, url);
  });
  it.each(DATA_EXCEPTIONS)('answers 400 when PostgreSQL refuses $value as $cast', async (p) => {
    const app = castingApp(sql, pino({ level: 'silent' }));
    const res = await app.request(`/cast?cast=${p.cast}&v=${encodeURIComponent(p.value)}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { type: string }).type).toBe('urn:vigil:problem:validation');
  });
});
