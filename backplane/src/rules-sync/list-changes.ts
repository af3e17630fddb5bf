/**
 * The list changes an edge has not applied yet: list_items rows whose seq is past its cursor, in
 * seq order (the writers' lock makes that the order they committed in: api/lists/list-items.ts).
 * A removed row (tombstone) is a `remove`; every other row an `add` with its expiry — an expired
 * item included: the edge's store ignores it past its expiry, and sending it costs less than
 * another index.
 */
import { LIST_KINDS, type ListChange } from '@vigil/core';
import type { Sql } from 'postgres';
import * as z from 'zod/mini';
import { RowError } from '../api/rows.js';

/** Most changes one sync answer carries (`more` says to ask again at once). */
export const MAX_CHANGES_PER_SYNC = 1_000;

const changeRow = z.object({
  list: z.string(),
  kind: z.enum(LIST_KINDS),
  value: z.string(),
  expires_at: z.nullable(z.date()),
  removed: z.boolean(),
  seq: z.string(),
});

/** Changes after `cursor` (a seq; 0 = from the start), at most `limit`, and the last seq read. */
export async function listChangesAfter(
  sql: Sql,
  cursor: bigint,
  limit: number = MAX_CHANGES_PER_SYNC,
): Promise<{ changes: ListChange[]; last: bigint; more: boolean }> {
  const rows = await sql`
    SELECT i.list, l.kind, i.value, i.expires_at, i.removed_at IS NOT NULL AS removed,
      i.seq::text AS seq
    FROM list_items i JOIN lists l ON l.name = i.list
    WHERE i.seq > ${cursor.toString()}::bigint
    ORDER BY i.seq
    LIMIT ${limit + 1}`;
  const page = rows.slice(0, limit).map((row) => {
    const r = z.safeParse(changeRow, row);
    if (!r.success) throw new RowError('list item', r.error);
    return r.data;
  });
  const changes = page.map((r): ListChange => ({
    op: r.removed ? 'remove' : 'add',
    list: r.list,
    kind: r.kind,
    value: r.value,
    expiresAtMs: r.expires_at?.getTime() ?? null,
  }));
  const last = page.at(-1);
  return { changes, last: last ? BigInt(last.seq) : cursor, more: rows.length > limit };
}
