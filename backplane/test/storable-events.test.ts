/**
 * Whatever core's event schemas accept, the real PostgreSQL stores (issue 13, class 1): the
 * property of storable-events.suite.ts against PostgreSQL 15, in a database of its own.
 */
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStorableEvents } from '../src/adapters/postgres/storable-events.suite.js';
import { freshMigratedDatabase } from './support/services.js';

let sql: Sql;

beforeAll(async () => {
  sql = await freshMigratedDatabase('storable');
});
afterAll(() => sql?.end());

describe('events core accepts, on a real PostgreSQL', () => {
  it('stores every one, with its values; the generator also makes events core refuses', async () => {
    const r = await checkStorableEvents(sql, 'pg', 150);
    // The generator reaches both sides of the rule: some hostile text and offsets are refused.
    expect(r.refused).toBeGreaterThan(0);
    expect(r.refused).toBeLessThan(r.generated);
  });
});
