/** One row of the live decision feed, from a live event or from the API's list. */
import type { Decision, LiveDecision, TransactionSummary } from '@vigil/core';

export interface FeedReason {
  readonly code: string;
  readonly feature?: string; // absent on a rule's reason (core's LiveReason)
  readonly contribution: number;
}

export interface FeedRow {
  readonly transaction_id: string;
  readonly timestamp: string;
  readonly customer_id: string;
  readonly terminal_id: string;
  readonly amount: number;
  readonly currency: string | null;
  readonly score: number;
  readonly decision: Decision;
  /** Empty for rows loaded from the list API (it does not carry reasons). */
  readonly reasons: readonly FeedReason[];
  readonly degraded: boolean;
  readonly scored_at: string;
  /** Edge server time; null for rows from the list API. */
  readonly latency_ms: number | null;
  readonly label: 'fraud' | 'legitimate' | null;
  readonly case_id: string | null;
}

export function rowFromLive(d: LiveDecision): FeedRow {
  return {
    transaction_id: d.transaction_id,
    timestamp: d.timestamp,
    customer_id: d.customer_id,
    terminal_id: d.terminal_id,
    amount: d.amount,
    currency: d.currency ?? null,
    score: d.score,
    decision: d.decision,
    reasons: d.reasons,
    degraded: d.degraded,
    scored_at: d.scored_at,
    latency_ms: d.latency_ms,
    label: null,
    case_id: d.case_id ?? null,
  };
}

export function rowFromSummary(s: TransactionSummary): FeedRow {
  return {
    transaction_id: s.transaction_id,
    timestamp: s.timestamp,
    customer_id: s.customer_id,
    terminal_id: s.terminal_id,
    amount: s.amount,
    currency: s.currency,
    score: s.score,
    decision: s.decision,
    reasons: [],
    degraded: s.degraded,
    scored_at: s.scored_at,
    latency_ms: null,
    label: s.label,
    case_id: s.case_id,
  };
}

/** Two views of one transaction merged: the live one's detail, the freshest label and case. */
export function mergeRows(live: FeedRow, other: FeedRow): FeedRow {
  return {
    ...live,
    reasons: live.reasons.length > 0 ? live.reasons : other.reasons,
    latency_ms: live.latency_ms ?? other.latency_ms,
    label: other.label ?? live.label,
    case_id: live.case_id ?? other.case_id,
  };
}
