/**
 * Request and answer shapes the dashboard uses that core's analyst-api.ts does not define (core
 * holds the read models; these are the traffic panel's and the list filters' own).
 */
import type { CaseListQuery, Decision } from '@vigil/core';

/** GET /api/transactions query; every member optional. */
export interface TransactionQuery {
  readonly decision?: readonly Decision[];
  readonly min_score?: number;
  readonly max_score?: number;
  readonly customer_id?: string;
  readonly terminal_id?: string;
  readonly from?: string;
  readonly to?: string;
  readonly label?: 'fraud' | 'legitimate';
  readonly limit?: number;
  readonly cursor?: string;
}

/** GET /api/cases query: core's contract. */
export type CaseQuery = CaseListQuery;

export type TrafficKind = 'normal' | 'fraud';

/** What POST /api/traffic/inject reports of the burst it sent (the fields the panel shows). */
export interface InjectSummary {
  readonly scenario: number;
  readonly description: string;
  /** Fraudulent transactions in the burst, and how many of them the edge flagged. */
  readonly frauds: number;
  readonly flagged: number;
}
