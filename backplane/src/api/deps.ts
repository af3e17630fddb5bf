/**
 * What the analysts' API needs from the rest of the backplane, as one plain object built by
 * main.ts. Nothing here is created or read at import: the API only uses what it is handed, so its
 * tests pass a real (PGlite) database and recording fakes for Kafka, the LiveHub and the edge.
 */
import type { FeedbackEventV1, LiveEvent } from '@vigil/core';
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { OneReadPerAnalyst } from './heavy-reads.js';
import type { DeployedModel } from './models/deployed-model.js';
import type { VerdictRetryPolicy } from './verdict-delivery/delivery-policy.js';
import type { VerdictDeliveryObserver } from './verdict-delivery/verdict-deliverer.js';

export interface ApiDeps {
  /**
   * The Postgres pool. The API reads every table and writes only `cases`, `case_comments`,
   * `verdict_deliveries`, `rulesets`, `lists`, `list_items`, `thresholds` and `audit_log` (the rules sync
   * writes `served_models`).
   */
  readonly sql: Sql;
  /**
   * Hand analysts' verdicts to Kafka (`vigil.feedback.v1`) through the pipeline's producer; the
   * consumer writes the feedback rows. Resolves once the log has the events. It is awaited inside
   * the case's database transaction (a failed send rolls the resolution back), so it must not wait
   * for the consumer to write Postgres.
   */
  emitFeedback(events: FeedbackEventV1[]): Promise<void>;
  /** Publish to the LiveHub (fire and forget: the publisher batches and retries). */
  publishLive(events: LiveEvent[]): void;
  /**
   * The edge's origin and a bearer key for it: verdicts are delivered to its POST /v1/feedback
   * (kept and retried until applied), and simulated traffic goes to POST /v1/score/batch.
   * null → no delivery, no traffic.
   */
  readonly edge: { readonly url: string; readonly apiKey: string } | null;
  /** Kafka consumer lag in messages, as GET /api/stats reports it. */
  consumerLag(): number;
  readonly auth: {
    /** Bearer keys for programs: VIGIL_ANALYST_KEYS if set, else VIGIL_API_KEYS. */
    readonly apiKeys: readonly string[];
    /** HMAC key of the `vigil_session` cookie (VIGIL_SESSION_SECRET; ≥ 16 characters). */
    readonly sessionSecret: string;
    /** The one-time sign-in token printed by `npm start`; accepted once by POST /api/session. */
    readonly signInToken: string | null;
  };
  readonly log: Logger;
  /** The clock (tests pin it); default `() => new Date()`. */
  readonly now?: () => Date;
  /** fetch for calls to the edge (tests pass an in-memory edge); default globalThis.fetch. */
  readonly fetch?: typeof fetch;
  /** How long GET /api/stats reuses an answer per window, in ms (default 1000; 0 = never). */
  readonly statsCacheMs?: number;
  /** The verdicts' retry policy (defaults: DEFAULT_VERDICT_RETRY; `sweepMs: 0` = no sweep). */
  readonly verdictRetry?: Partial<VerdictRetryPolicy>;
  /** Metrics of the verdicts' delivery to the edge. */
  readonly verdictObserver?: VerdictDeliveryObserver;
  /**
   * Rule backtests (POST /api/rules/backtest): their own pool, with a statement timeout, so a
   * backtest never holds a connection the API or the consumer needs (main.ts opens it); the
   * longest one may run (VIGIL_BACKTEST_TIMEOUT_MS); rows a page (tests). Default: `sql`, 30 s.
   * Thresholds previews read the same way. `limit`: the one-per-analyst limit both share (tests
   * hand one in to hold a read running); default: the app's own.
   */
  readonly backtest?: {
    readonly sql: Sql;
    readonly timeoutMs: number;
    readonly pageRows?: number;
    readonly limit?: OneReadPerAnalyst;
  };
  /** Seed of the simulated traffic's customers, terminals and draws (default 7). */
  readonly trafficSeed?: number;
  /**
   * The edges' deployed model (the registry's `default`); default: edge/model/'s metadata, read
   * once. Tests give a backplane deployed without that file.
   */
  readonly deployedModel?: () => Promise<DeployedModel | null>;
}
