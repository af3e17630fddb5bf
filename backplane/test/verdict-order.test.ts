/**
 * The edge's rule for the verdict in force agrees with PostgreSQL 15 (issue 13, verdicts out of
 * order): verdict-order.suite.ts against a real server, in a database of its own.
 */
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkVerdictMicroseconds,
  checkVerdictOrder,
} from '../src/adapters/postgres/verdict-order.suite.js';
import { freshMigratedDatabase } from './support/services.js';

let sql: Sql;

beforeAll(async () => {
  sql = await freshMigratedDatabase('verdicts');
});
afterAll(() => sql?.end());

describe('the verdict in force, PostgreSQL 15 and core', () => {
  it('reads verdict times to the microsecond PostgreSQL stores', async () => {
    await checkVerdictMicroseconds(sql, 5_000);
  });

  it('keeps as label the verdict core leaves in force, whatever the arrival order', async () => {
    const covered = await checkVerdictOrder(sql, 'vo', 100);
    expect(covered.late).toBeGreaterThan(0);
    expect(covered.ties).toBeGreaterThan(0);
  });
});
