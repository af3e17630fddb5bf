import type { LiveEvent, VigilEvent } from '@vigil/core';
import { caseIdOf } from '../adapters/postgres/event-store.js';

/** The live feed's view of a stored event: no feature vector; a decision names the case it opened. */
export function liveEventOf(e: VigilEvent): LiveEvent {
  if (e.type === 'feedback') {
    return {
      kind: 'feedback',
      event_id: e.event_id,
      transaction_id: e.transaction_id,
      label: e.label,
      timestamp: e.timestamp,
      source: e.source,
    };
  }
  const t = e.transaction;
  return {
    kind: 'decision',
    event_id: e.event_id,
    transaction_id: t.transaction_id,
    timestamp: t.timestamp,
    customer_id: t.customer_id,
    terminal_id: t.terminal_id,
    amount: t.amount,
    ...(t.currency !== undefined ? { currency: t.currency } : {}),
    score: e.score,
    decision: e.decision,
    reasons: e.reasons,
    model_version: e.model_version,
    degraded: e.degraded,
    scored_at: e.scored_at,
    latency_ms: e.latency_ms,
    runtime: e.runtime,
    ...(e.decision !== 'approve' ? { case_id: caseIdOf(t.transaction_id) } : {}),
  };
}
