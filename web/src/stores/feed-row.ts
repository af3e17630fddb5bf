/** One row of the live decision feed, from a live event or from the API's list. */
import type { Decision, LiveDecision, TransactionSummary } from '@vigil/core';
import { reasonMessage } from '../format/format.js';

/** A feature's reason (code, feature) or a rule's (code, rule id, message): core's LiveReason. */
export interface FeedReason {
  readonly code: string;
  readonly feature?: string;
  readonly rule?: string;
  readonly message?: string;
  readonly contribution: number;
}

/**
 * A reason as the feed's Reasons column shows it: a feature's by its code (AMOUNT_SPIKE), a rule's
 * by the rule (`rule block_listed_customers`) — its code (RULE_BLOCK) says only the action.
 */
export function reasonLabel(r: FeedReason): string {
  return r.rule !== undefined ? `rule ${r.rule}` : r.code;
}

/** A reason's sentence, for the column's tooltip: the rule's own message, or the code's. */
export function reasonSentence(r: FeedReason): string {
  return r.rule !== undefined
    ? `rule ${r.rule}: ${r.message ?? reasonMessage(r.code)}`
    : `${r.code}: ${reasonMessage(r.code)}`;
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
  /** As the decision gave them, live or from the list API (which carries them since issue 17). */
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
    // A reloaded feed shows the reasons the live one did (a decline without them read as "—").
    reasons: s.reasons,
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
