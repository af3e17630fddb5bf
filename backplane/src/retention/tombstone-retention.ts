/**
 * Pruning of list-item tombstones: a removed item's row is kept so that edges learn of the removal
 * (POST /internal/rules/sync sends it as `remove`); after TOMBSTONE_DAYS every edge that syncs at
 * all has had it, and the row goes. An edge away for longer misses those removals — its own store
 * keeps such an item until the item's expiry (docs/operations.md says how to start one afresh).
 * Runs at start and hourly in the consumer's process, beside the decisions' retention.
 */
import type { Logger } from 'pino';
import type { Sql } from 'postgres';

/** Days a removed item's tombstone is kept for the edges' sync. */
export const TOMBSTONE_DAYS = 30;
const DAY_MS = 86_400_000;

/** Delete the tombstones removed before `now` − TOMBSTONE_DAYS; resolves with how many. */
export async function pruneTombstones(sql: Sql, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - TOMBSTONE_DAYS * DAY_MS);
  const rows = await sql`
    DELETE FROM list_items WHERE removed_at IS NOT NULL AND removed_at < ${cutoff}
    RETURNING 1`;
  return rows.length;
}

export interface TombstoneRetention {
  stop(): void;
}

/** Prune now and every `intervalMs` (default hourly); failures are logged and retried next time. */
export function startTombstoneRetention(o: {
  readonly sql: Sql;
  readonly log: Logger;
  readonly intervalMs?: number;
}): TombstoneRetention {
  const tick = () => {
    pruneTombstones(o.sql, new Date()).then(
      (n) => {
        if (n > 0) o.log.info({ pruned: n }, 'retention: list tombstones pruned');
      },
      (err: unknown) => o.log.warn({ err }, 'retention: pruning list tombstones failed; retrying'),
    );
  };
  tick();
  const timer = setInterval(tick, o.intervalMs ?? 3_600_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
