import type { LiveEvent } from '@vigil/core';

/** How one publish call ended. */
export type PublishOutcome =
  /** The hub acknowledged every event (200; it drops those it had by event_id). */
  | 'published'
  /** Some were dropped: the bounded queue overflowed, the hub refused them, or we shut down. */
  | 'dropped'
  /** No hub is configured (VIGIL_HUB_URL / VIGIL_HUB_SECRET unset). */
  | 'disabled';

/**
 * Live events → the LiveHub (POST {VIGIL_HUB_URL}/internal/hub/publish), from a bounded in-memory
 * queue, retried with backoff. Never blocks its caller and never throws: when the hub is down the
 * events are still in Postgres, and dashboards reload from the API.
 */
export interface HubPublisher {
  /** Queue `events`; the promise settles with the outcome and never rejects. */
  publish(events: readonly LiveEvent[]): Promise<PublishOutcome>;
  /** False while the hub fails (the consumer then stops waiting for acknowledgements). */
  readonly healthy: boolean;
  /** Events queued or in flight. */
  readonly depth: number;
  /** Try to deliver what is queued for at most `graceMs`, then drop the rest. */
  close(graceMs?: number): Promise<void>;
}
