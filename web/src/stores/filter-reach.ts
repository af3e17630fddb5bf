/**
 * A filtered feed that reaches past the ring. The ring holds the newest decisions of every kind
 * (5,000: a few seconds at 2,000/s), so "Declines only" would show just the few declines among
 * them; the API holds every decline. When a filter leaves the view short, the store asks the API
 * for that filter's newest rows and shows the ones older than what the ring still has below them.
 */
import type { Decision } from '@vigil/core';
import type { FeedRow } from './feed-row.js';

export type FeedFilter = 'all' | 'flagged' | 'decline';

/** Below this many rows a filtered view asks the API for more. */
export const FILTER_SHORT_BELOW = 100;

/** The decisions a filter keeps; null for all. */
export function filterDecisions(filter: FeedFilter): readonly Decision[] | null {
  if (filter === 'decline') return ['decline'];
  if (filter === 'flagged') return ['review', 'decline'];
  return null;
}

export function matchesFilter(filter: FeedFilter, row: FeedRow): boolean {
  const ds = filterDecisions(filter);
  return ds === null || ds.includes(row.decision);
}

/**
 * The ring's filtered rows (newest first) followed by the API's older rows of the same filter
 * (newest first) that the ring does not hold and that are older than its oldest shown row.
 */
export function withOlderRows(
  ringRows: readonly FeedRow[],
  older: readonly FeedRow[],
  held: (transactionId: string) => boolean,
): readonly FeedRow[] {
  if (older.length === 0) return ringRows;
  const last = ringRows[ringRows.length - 1];
  const floor = last ? Date.parse(last.scored_at) : Number.POSITIVE_INFINITY;
  const extra = older.filter((r) => !held(r.transaction_id) && Date.parse(r.scored_at) <= floor);
  return extra.length === 0 ? ringRows : [...ringRows, ...extra];
}
