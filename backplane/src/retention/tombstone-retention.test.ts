import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDb, type TestDb } from '../api/test-support.js';
import { pruneTombstones, TOMBSTONE_DAYS } from './tombstone-retention.js';

let db: TestDb;
beforeAll(async () => {
  db = await startTestDb();
}, 60_000);
afterAll(() => db.stop());

describe('pruneTombstones', () => {
  it(`deletes tombstones older than ${TOMBSTONE_DAYS} days, and nothing else`, async () => {
    const now = new Date('2026-03-01T00:00:00Z');
    const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
    await db.sql`
      INSERT INTO list_items (list, value, added_by, added_at, removed_at) VALUES
        ('blocked_customers', 'c_old', 't', ${daysAgo(40)}, ${daysAgo(31)}),
        ('blocked_customers', 'c_recent', 't', ${daysAgo(40)}, ${daysAgo(29)}),
        ('blocked_customers', 'c_live', 't', ${daysAgo(400)}, NULL)`;
    expect(await pruneTombstones(db.sql, now)).toBe(1);
    const left = await db.sql`SELECT value FROM list_items ORDER BY value`;
    expect(left.map((r) => String(r.value))).toEqual(['c_live', 'c_recent']);
  });
});
