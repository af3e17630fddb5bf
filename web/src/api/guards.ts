/**
 * Shape checks for the API's answers. The backplane validates what it writes; the dashboard still
 * checks what it reads (a backplane of another version must fail loudly, not render `undefined`).
 * The checks cover the fields the views use, not every nested member.
 */
import type {
  Case,
  Page,
  SessionInfo,
  Stats,
  TrafficState,
  TransactionDetail,
  TransactionSummary,
} from '@vigil/core';
import type { InjectSummary } from './types.js';

/** POST /api/traffic/one: the edge's answer (core's schema) with what was sent beside it. */
export { isScoreAnswer } from '@vigil/core';

export type Guard<T> = (v: unknown) => v is T;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const str = (v: unknown): boolean => typeof v === 'string';
export const num = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
export const strOrNull = (v: unknown): boolean => v === null || typeof v === 'string';
export const DECISIONS = new Set(['approve', 'review', 'decline']);
const CASE_STATUSES = new Set(['open', 'assigned', 'resolved']);

export const isTransactionSummary: Guard<TransactionSummary> = (v): v is TransactionSummary =>
  isRecord(v) &&
  str(v.transaction_id) &&
  str(v.timestamp) &&
  str(v.customer_id) &&
  str(v.terminal_id) &&
  num(v.amount) &&
  num(v.score) &&
  DECISIONS.has(v.decision as string) &&
  str(v.scored_at);

const DELIVERY_STATES = new Set(['applied', 'pending', 'failed']);

/** A case's verdict delivery: absent (an older backplane), null (unresolved) or a state. */
const isDelivery = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  (isRecord(v) &&
    DELIVERY_STATES.has(v.state as string) &&
    num(v.attempts) &&
    strOrNull(v.detail) &&
    strOrNull(v.next_attempt_at) &&
    str(v.updated_at));

export const isCase: Guard<Case> = (v): v is Case =>
  isRecord(v) &&
  str(v.case_id) &&
  str(v.transaction_id) &&
  CASE_STATUSES.has(v.status as string) &&
  strOrNull(v.assignee) &&
  num(v.version) &&
  num(v.score) &&
  num(v.amount) &&
  Array.isArray(v.comments) &&
  isDelivery(v.verdict_delivery);

export const isTransactionDetail: Guard<TransactionDetail> = (v): v is TransactionDetail =>
  isRecord(v) &&
  isTransactionSummary(v) &&
  Array.isArray(v.reasons) &&
  isRecord(v.features) &&
  Array.isArray(v.feedback) &&
  isRecord(v.history);

export const isStats: Guard<Stats> = (v): v is Stats =>
  isRecord(v) &&
  num(v.transactions) &&
  num(v.tps) &&
  isRecord(v.decisions) &&
  num(v.fraud_rate) &&
  Array.isArray(v.score_histogram) &&
  isRecord(v.latency_ms) &&
  num(v.consumer_lag) &&
  num(v.open_cases) &&
  Array.isArray(v.series);

export const isTrafficState: Guard<TrafficState> = (v): v is TrafficState =>
  isRecord(v) && typeof v.running === 'boolean' && num(v.rate) && num(v.sent) && num(v.errors);

export const isSessionInfo: Guard<SessionInfo> = (v): v is SessionInfo =>
  isRecord(v) && typeof v.authenticated === 'boolean' && strOrNull(v.subject ?? null);

export const isInjectSummary: Guard<InjectSummary> = (v): v is InjectSummary =>
  isRecord(v) && num(v.scenario) && str(v.description) && num(v.frauds) && num(v.flagged);

/** A guard for a page of items, each checked by `item`. */
export function isPageOf<T>(item: Guard<T>): Guard<Page<T>> {
  return (v): v is Page<T> =>
    isRecord(v) &&
    Array.isArray(v.items) &&
    (v.items as unknown[]).every(item) &&
    strOrNull(v.next_cursor ?? null);
}
