/**
 * The analysts' workspace (issue 17) as contracts shared by the backplane that serves them and the
 * dashboard that calls them: search, the queue by priority, "next case", bulk resolve. docs/api.md
 * describes each route; the backplane validates every parameter and answers a bad one with a 400
 * naming it.
 */
import type { Decision } from '../policy/decision.js';
import type { Case, CaseResolution, CaseStatus, TransactionSummary } from './analyst-api.js';

/** Matches per kind in GET /api/search (transactions, cards, terminals). */
export const SEARCH_LIMIT = 10;

/** A card or terminal whose id starts with the query: how many transactions, the latest when. */
export interface CustomerMatch {
  readonly customer_id: string;
  readonly count: number;
  /** The latest transaction's event time (`ts`). */
  readonly last_at: string;
}

export interface TerminalMatch {
  readonly terminal_id: string;
  readonly count: number;
  readonly last_at: string;
}

/**
 * GET /api/search?q=…: `q` is an id or its beginning (1–128 characters of the ids' alphabet).
 * Each list holds at most SEARCH_LIMIT matches, ids in byte order; an exact transaction id comes
 * first among the transactions. Open a card's or terminal's transactions with
 * GET /api/transactions?customer_id=… / ?terminal_id=….
 */
export interface SearchResult {
  readonly q: string;
  readonly transactions: readonly TransactionSummary[];
  readonly customers: readonly CustomerMatch[];
  readonly terminals: readonly TerminalMatch[];
}

/**
 * The case queue's orders (GET /api/cases `sort`, POST /api/cases/next). Open and assigned cases
 * always come before resolved ones; within them: `-risk` score × amount, highest first (the
 * dashboard's default view of review cases); `-score`; `-amount`; `opened_at` oldest first;
 * `-opened_at` newest first (the API's default). Ties fall to case_id in the order's direction.
 * A page's cursor carries its sort: another sort's cursor is refused (400 naming `/cursor`).
 */
export const CASE_SORTS = ['-risk', '-score', '-amount', 'opened_at', '-opened_at'] as const;
export type CaseSort = (typeof CASE_SORTS)[number];
export const DEFAULT_CASE_SORT: CaseSort = '-opened_at';

/** GET /api/cases's query (strings on the wire: lists are comma-separated). */
export interface CaseListQuery {
  readonly status?: readonly CaseStatus[];
  readonly assignee?: string;
  readonly decision?: readonly Decision[];
  readonly sort?: CaseSort;
  /** 1 … 500, default 50. */
  readonly limit?: number;
  readonly cursor?: string;
}

/**
 * POST /api/cases/next: assigns the caller the first unassigned open case of the queue in this
 * order (default: every decision, `-risk`). 200 with the case (status `assigned`, assignee the
 * caller), or 404 problem when no unassigned open case is left. Two callers never get one case.
 */
export interface NextCaseRequest {
  readonly decision?: readonly Decision[];
  readonly sort?: CaseSort;
}

/** Most cases one POST /api/cases/resolve takes. */
export const MAX_BULK_RESOLVE = 500;

/**
 * POST /api/cases/resolve: all or nothing. Every id must name an unresolved case, once: otherwise
 * 404 (unknown) or 409 (already resolved) naming `/case_ids/i`, and nothing is applied. Each case
 * is audited and its verdict sent to Kafka and the edge as POST /api/cases/{id}/resolve does.
 */
export interface BulkResolveRequest {
  readonly case_ids: readonly string[];
  readonly resolution: CaseResolution;
  /** Added to every case as the caller's comment. */
  readonly comment?: string;
}

/** The bulk answer: every case after the change, in request order. */
export interface BulkResolveResponse {
  readonly resolution: CaseResolution;
  readonly cases: readonly Case[];
}

export type { MoneyTotals } from './analyst-api.js';
