/**
 * The durable outbox's numbers on the Worker's /metrics. The rest of /metrics is per isolate; the
 * outbox is one Durable Object, so on a scrape the Worker asks it (one RPC, only then) and appends
 * these families: the same values whichever isolate answers — aggregate them with max(), not sum().
 * Its counters are kept in its SQLite storage, so they only grow, across evictions and restarts.
 */
import { Counter } from '../app/metrics.js';
import type { FailureReason } from './delivery-metrics.js';

/** What EventOutbox.stats() reports. */
export interface OutboxStats {
  /** Events stored, waiting for the backplane. */
  readonly depth: number;
  /** VIGIL_OUTBOX_CAPACITY. */
  readonly capacity: number;
  /** How long the oldest stored event has waited (0 when empty). */
  readonly oldestAgeSeconds: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly refused: { readonly full: number; readonly invalid: number };
  readonly delivered: number;
  /** Events in failed delivery attempts (they stay stored), per attempt. */
  readonly failed: Readonly<Record<FailureReason, number>>;
  readonly dropped: { readonly invalid: number; readonly rejected: number };
  /** Failed attempts since the last success: the backoff's exponent. */
  readonly consecutiveFailures: number;
}

function gauge(name: string, help: string, value: number): Counter {
  const g = new Counter(name, help, [{}], 'gauge');
  g.set(value);
  return g;
}

/** A counter with one value, or one per `reason`. */
function counter(
  name: string,
  help: string,
  value: number | Readonly<Record<string, number>>,
): Counter {
  const c = new Counter(name, help, []);
  if (typeof value === 'number') c.inc({}, value);
  else for (const [reason, n] of Object.entries(value)) c.inc({ reason }, n);
  return c;
}

/** The exposition lines for `stats`, or only `vigil_durable_outbox_up 0` when it is null. */
export function renderOutboxStats(stats: OutboxStats | null): string {
  const up = gauge(
    'vigil_durable_outbox_up',
    'Whether the Worker could read the durable outbox (EventOutbox) for this scrape.',
    stats ? 1 : 0,
  );
  const out: string[] = [];
  up.render(out);
  if (stats) {
    const families = [
      gauge('vigil_durable_outbox_depth', 'Events stored, waiting for the backplane.', stats.depth),
      gauge(
        'vigil_durable_outbox_capacity',
        'Most events the outbox stores (VIGIL_OUTBOX_CAPACITY); past it new ones are refused.',
        stats.capacity,
      ),
      gauge(
        'vigil_durable_outbox_oldest_age_seconds',
        'How long the oldest stored event has waited (0 when empty).',
        stats.oldestAgeSeconds,
      ),
      gauge(
        'vigil_durable_outbox_consecutive_failures',
        'Failed delivery attempts since the last success (the backoff exponent).',
        stats.consecutiveFailures,
      ),
      counter('vigil_durable_outbox_stored_total', 'Events stored by handoffs.', stats.stored),
      counter(
        'vigil_durable_outbox_duplicates_total',
        'Handed-off events already stored (same event_id): not stored twice.',
        stats.duplicates,
      ),
      counter('vigil_durable_outbox_refused_total', 'Handed-off events not stored, by reason.', {
        full: stats.refused.full,
        invalid: stats.refused.invalid,
      }),
      counter(
        'vigil_durable_outbox_delivered_total',
        'Stored events the backplane accepted.',
        stats.delivered,
      ),
      counter(
        'vigil_durable_outbox_failed_total',
        'Stored events in failed delivery attempts (kept and retried), per attempt, by reason.',
        stats.failed,
      ),
      counter(
        'vigil_durable_outbox_dropped_total',
        'Stored events given up as poison, by reason.',
        stats.dropped,
      ),
    ];
    for (const f of families) f.render(out);
  }
  return out.join('\n') + '\n';
}
