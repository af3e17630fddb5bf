/**
 * The analysts' API (backplane, at `/api` of the public origin), as types shared by the backplane
 * that serves it and the dashboard that reads it. docs/api.md describes every route; the backplane
 * validates requests with its own schemas and answers errors as application/problem+json.
 */
import type { Decision } from '../policy/decision.js';
import type { Reason } from '../policy/reasons.js';
import type { RuleReason } from '../rules/rule-reason.js';
import type { RuleAction } from '../rules/rules-contract.js';

/** One row of GET /api/transactions. */
export interface TransactionSummary {
  readonly transaction_id: string;
  readonly timestamp: string;
  readonly customer_id: string;
  readonly terminal_id: string;
  readonly amount: number;
  readonly currency: string | null;
  readonly score: number;
  readonly decision: Decision;
  readonly degraded: boolean;
  readonly scored_at: string;
  /** The latest verdict, if any: 'fraud' | 'legitimate'. */
  readonly label: 'fraud' | 'legitimate' | null;
  readonly case_id: string | null;
  /** The case's status (null without a case): the queue's word for where it stands. */
  readonly case_status: CaseStatus | null;
  /**
   * Why, as the detail gives it (the deciding rule's reason first, then the features', each with
   * its sentence): the live feed's rows loaded from this list show the same reasons as live ones.
   */
  readonly reasons: readonly (Reason | RuleReason)[];
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Opaque; pass as `cursor` for the next page. null on the last page. */
  readonly next_cursor: string | null;
}

export interface FeedbackRecord {
  readonly event_id: string;
  readonly label: 'fraud' | 'legitimate';
  readonly timestamp: string;
  readonly source: 'api' | 'analyst';
  readonly actor: string | null;
}

/** GET /api/transactions/{transaction_id}: 404 until the decision has landed in Postgres. */
export interface TransactionDetail extends TransactionSummary {
  readonly channel: string | null;
  readonly country: string | null;
  readonly device_id: string | null;
  readonly ip: string | null;
  /** The feature vector the model saw, by name. */
  readonly features: Readonly<Record<string, number>>;
  readonly model_version: string;
  readonly runtime: string;
  readonly latency_ms: number;
  /** The active rules that matched (decision events' `rules`); [] when none did. */
  readonly rules: readonly { readonly id: string; readonly action: RuleAction }[];
  /** The shadow rules that matched (ids). */
  readonly shadow_rules: readonly string[];
  /** The ruleset the edge decided with; null for decisions from before rules. */
  readonly ruleset_version: number | null;
  readonly feedback: readonly FeedbackRecord[];
  readonly case: Case | null;
  /** The customer's and the terminal's latest transactions before this one (newest first). */
  readonly history: {
    readonly customer: readonly TransactionSummary[];
    readonly terminal: readonly TransactionSummary[];
  };
}

export type CaseStatus = 'open' | 'assigned' | 'resolved';
export type CaseResolution = 'fraud' | 'false_positive';

export interface CaseComment {
  readonly author: string;
  readonly body: string;
  readonly created_at: string;
}

/** A review or decline opens one case per transaction. */
export interface Case {
  readonly case_id: string;
  readonly transaction_id: string;
  readonly status: CaseStatus;
  readonly assignee: string | null;
  readonly resolution: CaseResolution | null;
  readonly opened_at: string;
  readonly updated_at: string;
  /** Grows by one per change; send it back as `version` to refuse a stale write (409). */
  readonly version: number;
  readonly decision: Decision;
  readonly score: number;
  readonly amount: number;
  /** ISO 4217 code as the edge received it, null when the transaction gave none. */
  readonly currency: string | null;
  readonly customer_id: string;
  readonly terminal_id: string;
  readonly comments: readonly CaseComment[];
  /** Where the resolved case's verdict stands at the edge; null while unresolved (or untracked). */
  readonly verdict_delivery: VerdictDelivery | null;
}

/**
 * A verdict's way to the edge's POST /v1/feedback: `applied` (the edge answered 2xx), `pending`
 * (not yet: the backplane keeps it in Postgres and retries with backoff, across restarts) or
 * `failed` (it never will: the edge refused it with a 4xx, or still did not know the transaction
 * after the retry window). Never silently dropped: the reason stays in `detail`.
 */
export type VerdictDeliveryState = 'applied' | 'pending' | 'failed';

export interface VerdictDelivery {
  readonly state: VerdictDeliveryState;
  /** Tries so far (each a POST to the edge). */
  readonly attempts: number;
  /** The edge's HTTP status at the last try; null before any, or when it could not be reached. */
  readonly last_status: number | null;
  /** Why it is not applied: the edge's problem detail or the network error; null once applied. */
  readonly detail: string | null;
  /** When the next try is due (pending only), else null. */
  readonly next_attempt_at: string | null;
  readonly updated_at: string;
}

export const STATS_WINDOWS = ['5m', '1h', '24h', '7d', 'all'] as const;
export type StatsWindow = (typeof STATS_WINDOWS)[number];

/** GET /api/stats?window=…: over decisions scored (scored_at) within the window. */
export interface Stats {
  readonly window: StatsWindow;
  readonly from: string;
  readonly to: string;
  readonly transactions: number;
  /** transactions / window seconds (for 'all': over first to last scored_at). */
  readonly tps: number;
  readonly decisions: {
    readonly approve: number;
    readonly review: number;
    readonly decline: number;
  };
  /**
   * Transactions labelled fraud / transactions, in the window; null for an empty window. It grows
   * as analysts and programs label (their throughput), so it is not the fraud rate.
   */
  readonly labelled_fraud_rate: number | null;
  /** @deprecated The old name of labelled_fraud_rate (0 for an empty window); to be removed. */
  readonly fraud_rate: number;
  /** Amounts per decision and per outcome, one entry per currency (most approved money first). */
  readonly money: readonly MoneyTotals[];
  /** False-positive resolutions / resolved cases, over the window's transactions; null if none. */
  readonly false_positive_share: number | null;
  /** Median age of the open and assigned cases now, in seconds; null when there is none. */
  readonly open_case_median_age_s: number | null;
  /** 20 bins of width 0.05 over [0, 1]. */
  readonly score_histogram: readonly number[];
  /** Edge server time per decision (the events' latency_ms). */
  readonly latency_ms: { readonly p50: number; readonly p99: number };
  /** Kafka consumer lag in messages (0 for the in-process log once drained). */
  readonly consumer_lag: number;
  readonly open_cases: number;
  /** Time buckets over the window (60 of them), oldest first. */
  readonly series: readonly {
    readonly t: string;
    readonly approve: number;
    readonly review: number;
    readonly decline: number;
    readonly p50_ms: number;
    readonly p99_ms: number;
  }[];
}

export type TrafficScenario = 1 | 2 | 3;

/** The fastest simulated stream POST /api/traffic accepts, in transactions per second. */
export const MAX_TRAFFIC_RATE = 5_000;

/** GET/POST /api/traffic: the simulated checkout traffic the backplane sends to the edge. */
export interface TrafficState {
  readonly running: boolean;
  /** Transactions per second while running. */
  readonly rate: number;
  readonly sent: number;
  readonly errors: number;
}

export interface SessionInfo {
  readonly authenticated: boolean;
  readonly subject: string | null;
  readonly via: 'session' | 'bearer' | null;
}

/**
 * Money in one currency over a stats window (GET /api/stats `money`), in the currency's major
 * unit. Totals are per currency, never summed across currencies: the edge takes any ISO 4217 code.
 */
export interface MoneyTotals {
  /** ISO 4217 as the edge received it; null for transactions sent without a currency. */
  readonly currency: string | null;
  /** Amounts of the window's transactions decided approve / review / decline. */
  readonly approved: number;
  readonly review: number;
  readonly declined: number;
  /** Amounts of the window's transactions whose latest label is fraud (analyst or API). */
  readonly confirmed_fraud: number;
  /** Amounts of the window's transactions whose case was resolved false positive. */
  readonly false_positive: number;
}
