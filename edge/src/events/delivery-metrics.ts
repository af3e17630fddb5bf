/**
 * The event sink's metrics, rendered into the edge's /metrics: how many events wait for the
 * backplane (and how many of those the Node outbox holds on disk), how many it accepted, how
 * many attempts failed, how many were handed to the Worker's durable outbox, how many were given
 * up, and how long delivery took. Per process (Node) or
 * isolate (Workers), like the rest of /metrics; the durable outbox's own numbers are global and
 * rendered by durable-outbox-metrics.ts.
 */
import { Counter, Histogram, type MetricsSource } from '../app/metrics.js';

/** Why a delivery attempt failed (its events are retried). */
export type FailureReason = 'network' | 'timeout' | 'http';
/** Why events were given up for good. */
export type DropReason =
  'outbox_full' | 'outbox_unavailable' | 'rejected' | 'invalid' | 'retries_exhausted' | 'shutdown';

const FAILURES: readonly FailureReason[] = ['network', 'timeout', 'http'];
const DROPS: readonly DropReason[] = [
  'outbox_full',
  'outbox_unavailable',
  'rejected',
  'invalid',
  'retries_exhausted',
  'shutdown',
];

export class DeliveryMetrics implements MetricsSource {
  readonly sent = new Counter('vigil_events_sent_total', 'Events the backplane accepted.');
  readonly failed = new Counter(
    'vigil_events_failed_total',
    'Events in delivery attempts that failed and are retried (counted once per attempt), by reason.',
    FAILURES.map((reason) => ({ reason })),
  );
  readonly dropped = new Counter(
    'vigil_events_dropped_total',
    'Events given up for good (lost to the backplane), by reason.',
    DROPS.map((reason) => ({ reason })),
  );
  readonly depth = new Counter(
    'vigil_event_outbox_depth',
    'Events waiting for the backplane: in the outbox (Node), or in flight (Workers).',
    [{}],
    'gauge',
  );
  readonly capacity = new Counter(
    'vigil_event_outbox_capacity',
    'Most events the in-memory outbox (VIGIL_OUTBOX_DIR=off) holds before it refuses new ones ' +
      '(0 on disk, bounded in bytes; 0 on Workers: vigil_durable_outbox_capacity).',
    [{}],
    'gauge',
  );
  readonly spilled = new Counter(
    'vigil_event_outbox_spilled',
    'Node: events in the outbox on disk (VIGIL_OUTBOX_DIR) or on their way into it; equal to ' +
      'vigil_event_outbox_depth (0 when the outbox is in memory only).',
    [{}],
    'gauge',
  );
  readonly spillBytes = new Counter(
    'vigil_event_outbox_spill_bytes',
    'Node: bytes of events the outbox on disk holds (bounded by VIGIL_OUTBOX_SPILL_MAX_BYTES; 0 in memory).',
    [{}],
    'gauge',
  );
  readonly handedOff = new Counter(
    'vigil_events_handed_off_total',
    'Workers: events handed to the durable outbox (EventOutbox) after direct delivery failed.',
  );
  readonly latency = new Histogram(
    'vigil_event_delivery_seconds',
    'Per event, from emit to the backplane acknowledging it (Workers: direct deliveries only).',
    [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  );

  render(out: string[]): void {
    for (const m of [
      this.sent,
      this.failed,
      this.dropped,
      this.depth,
      this.capacity,
      this.spilled,
      this.spillBytes,
      this.handedOff,
      this.latency,
    ]) {
      m.render(out);
    }
  }
}
