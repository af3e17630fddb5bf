/**
 * List items in Postgres. A change (add, re-add, remove) takes the next number of list_items_seq,
 * the edges' sync cursor, under the advisory lock `vigil.list_items` held until commit: numbers
 * then become visible in the order they were taken, so an edge that has applied every change up
 * to n can never miss one below n that commits later (docs/operations.md, "Rules and lists").
 * The consumer's block-on-fraud takes the same lock (adapters/postgres/event-store.ts).
 */
import type { Sql, TransactionSql } from 'postgres';
import * as z from 'zod/mini';
import { RowError } from '../rows.js';

/** The lock every writer of list_items holds from before it takes a seq until it commits. */
export const LIST_ITEMS_LOCK = 'vigil.list_items';

/** An item as the API shows it. */
export interface ListItem {
  readonly value: string;
  readonly reason: string;
  /** RFC 3339, or null: never expires. */
  readonly expires_at: string | null;
  readonly added_by: string;
  readonly added_at: string;
}

const itemRow = z.object({
  value: z.string(),
  reason: z.string(),
  expires_at: z.nullable(z.date()),
  added_by: z.string(),
  added_at: z.date(),
});

/** A validated list_items row as a ListItem. */
export function toListItem(row: unknown): ListItem {
  const r = z.safeParse(itemRow, row);
  if (!r.success) throw new RowError('list item', r.error);
  return {
    ...r.data,
    expires_at: r.data.expires_at?.toISOString() ?? null,
    added_at: r.data.added_at.toISOString(),
  };
}

/** Take the list_items lock for the rest of `tx`. */
export async function lockListItems(tx: TransactionSql): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(hashtext(${LIST_ITEMS_LOCK}))`;
}

export interface NewItem {
  readonly value: string;
  readonly reason: string;
  readonly expires_at: Date | null;
}

/**
 * Add (or re-add: a new reason and expiry, a tombstone revived) `items` to `list`, in one
 * statement; returns each item before (null: not on the list) and after. The caller holds the lock.
 */
export async function upsertItems(
  tx: TransactionSql,
  list: string,
  items: readonly NewItem[],
  actor: string,
  at: Date,
): Promise<{ before: ListItem | null; after: ListItem }[]> {
  const json = JSON.stringify(
    items.map((i) => ({ ...i, expires_at: i.expires_at?.toISOString() ?? null })),
  );
  const values = items.map((i) => i.value);
  const old = await tx`
    SELECT value, reason, expires_at, added_by, added_at FROM list_items
    WHERE list = ${list} AND value = ANY(${values}::text[]) AND removed_at IS NULL`;
  const before = new Map(old.map((r) => [String(r.value), toListItem(r)]));
  const rows = await tx`
    INSERT INTO list_items AS li (list, value, reason, expires_at, added_by, added_at)
    SELECT ${list}, r.value, r.reason, r.expires_at, ${actor}, ${at}
    FROM json_to_recordset(${json}::text::json) AS r(value text, reason text, expires_at timestamptz)
    ON CONFLICT (list, value) DO UPDATE
      SET reason = EXCLUDED.reason, expires_at = EXCLUDED.expires_at,
          added_by = EXCLUDED.added_by, added_at = EXCLUDED.added_at,
          removed_at = NULL, removed_by = NULL, seq = nextval('list_items_seq')
    RETURNING value, reason, expires_at, added_by, added_at`;
  return rows.map((r) => {
    const after = toListItem(r);
    return { before: before.get(after.value) ?? null, after };
  });
}

/** Remove `value` from `list` (a tombstone); the item as it was, or null if it was not on it. */
export async function removeItem(
  tx: TransactionSql,
  list: string,
  value: string,
  actor: string,
  at: Date,
): Promise<ListItem | null> {
  const [row] = await tx`
    UPDATE list_items
    SET removed_at = ${at}, removed_by = ${actor}, seq = nextval('list_items_seq')
    WHERE list = ${list} AND value = ${value} AND removed_at IS NULL
    RETURNING value, reason, expires_at, added_by, added_at`;
  return row ? toListItem(row) : null;
}

/**
 * One page of a list's items in force (not removed, not expired at `at`), by value; `value`
 * narrows it to that one value (is this card on the list?).
 */
export async function pageItems(
  sql: Sql,
  list: string,
  o: { at: Date; limit: number; after?: string; value?: string },
): Promise<ListItem[]> {
  const rows = await sql`
    SELECT value, reason, expires_at, added_by, added_at FROM list_items
    WHERE list = ${list} AND removed_at IS NULL
      AND (expires_at IS NULL OR expires_at > ${o.at})
      AND (${o.after ?? null}::text IS NULL OR value > ${o.after ?? null}::text)
      AND (${o.value ?? null}::text IS NULL OR value = ${o.value ?? null}::text)
    ORDER BY value
    LIMIT ${o.limit}`;
  return rows.map(toListItem);
}
