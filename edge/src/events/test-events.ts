/** For tests: small valid events of core's schemas. */
import { feedbackEventId, type FeedbackEventV1 } from '@vigil/core';

/** Feedback event number `i` (a valid FeedbackEventV1 with a distinct event_id). */
export function feedbackEvent(i: number): FeedbackEventV1 {
  const timestamp = new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString();
  return {
    event_id: feedbackEventId(`tx_${i}`, 'fraud', timestamp),
    schema_version: 1,
    type: 'feedback',
    transaction_id: `tx_${i}`,
    label: 'fraud',
    timestamp,
    source: 'api',
  };
}

export function feedbackEvents(from: number, n: number): FeedbackEventV1[] {
  return Array.from({ length: n }, (_, k) => feedbackEvent(from + k));
}
