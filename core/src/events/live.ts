/**
 * The LiveHub's wire protocol: what the backplane publishes to the hub (after Postgres has the
 * event) and what the hub sends to dashboards over the `/v1/live` WebSocket. Plain types plus a
 * parser for the frames a client receives: both ends are ours, but a dashboard must survive a hub
 * of another version, so it parses rather than trusts.
 */
import type { VerdictDelivery } from '../api/analyst-api.js';

/** A reason in the live feed: a feature's (code, feature, contribution) or a rule's. */
export type LiveReason =
  | { readonly code: string; readonly feature: string; readonly contribution: number }
  | {
      readonly code: string;
      readonly rule: string;
      readonly message: string;
      readonly contribution: number;
    };

/** A decision as the live feed shows it: the row of the feed, no feature vector. */
export interface LiveDecision {
  readonly kind: 'decision';
  readonly event_id: string;
  readonly transaction_id: string;
  readonly timestamp: string;
  readonly customer_id: string;
  readonly terminal_id: string;
  readonly amount: number;
  readonly currency?: string | undefined;
  readonly score: number;
  readonly decision: 'approve' | 'review' | 'decline';
  /** As the decision event carries them: features that raised the score, or the deciding rule. */
  readonly reasons: readonly LiveReason[];
  readonly model_version: string;
  readonly degraded: boolean;
  readonly scored_at: string;
  readonly latency_ms: number;
  readonly runtime: string;
  /** The case this decision opened (review and decline), if any. */
  readonly case_id?: string | undefined;
}

export interface LiveFeedback {
  readonly kind: 'feedback';
  readonly event_id: string;
  readonly transaction_id: string;
  readonly label: 'fraud' | 'legitimate';
  readonly timestamp: string;
  readonly source: 'api' | 'analyst';
}

/** A case changed (assigned, commented, resolved): dashboards refresh their queue row. */
export interface LiveCase {
  readonly kind: 'case';
  /** Unique per change (e.g. `case:{case_id}:{version}`), so the hub can drop a retried publish. */
  readonly event_id: string;
  readonly case_id: string;
  readonly transaction_id: string;
  readonly status: 'open' | 'assigned' | 'resolved';
  readonly assignee: string | null;
  readonly resolution: 'fraud' | 'false_positive' | null;
  readonly updated_at: string;
  readonly version: number;
  /**
   * The verdict's delivery to the edge, when it is what changed: such an event keeps the case's
   * `version` (delivery is not an analyst's edit) and dashboards apply it by `updated_at`.
   */
  readonly verdict_delivery?: VerdictDelivery | null;
}

export type LiveEvent = LiveDecision | LiveFeedback | LiveCase;

/** POST /internal/hub/publish body (Authorization: Bearer VIGIL_HUB_SECRET). */
export interface HubPublishRequest {
  readonly events: readonly LiveEvent[];
}

/** Its 200 answer: how many were new (a retried publish's events are dropped by event_id). */
export interface HubPublishResponse {
  readonly accepted: number;
  readonly duplicates: number;
  readonly last_seq: number;
}

/** One event as the hub numbered it: `seq` grows by one per accepted event, for ever. */
export interface LiveItem {
  readonly seq: number;
  readonly event: LiveEvent;
}

/**
 * Frames the hub sends (text, JSON). On connect, `hello`; if the client asked to resume
 * (`/v1/live?after=SEQ`), the missed events follow as `events` frames — or, when some are older
 * than the hub keeps, a `gap` first, so the client knows to reload from the API.
 */
export type HubFrame =
  | { readonly type: 'hello'; readonly last_seq: number; readonly oldest_seq: number }
  | { readonly type: 'events'; readonly items: readonly LiveItem[] }
  | { readonly type: 'gap'; readonly from_seq: number; readonly to_seq: number };

/** How many events the hub keeps for resuming clients (its SQLite table is trimmed to this). */
export const HUB_RETAINED_EVENTS = 10_000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse one frame from the hub; null for anything that is not a frame of this version. */
export function parseHubFrame(text: string): HubFrame | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(v)) return null;
  if (v.type === 'hello' && typeof v.last_seq === 'number' && typeof v.oldest_seq === 'number') {
    return { type: 'hello', last_seq: v.last_seq, oldest_seq: v.oldest_seq };
  }
  if (v.type === 'gap' && typeof v.from_seq === 'number' && typeof v.to_seq === 'number') {
    return { type: 'gap', from_seq: v.from_seq, to_seq: v.to_seq };
  }
  if (v.type === 'events' && Array.isArray(v.items)) {
    const items: LiveItem[] = [];
    for (const it of v.items as unknown[]) {
      if (!isObject(it) || typeof it.seq !== 'number' || !isObject(it.event)) continue;
      const k = it.event.kind;
      if (k !== 'decision' && k !== 'feedback' && k !== 'case') continue;
      items.push({ seq: it.seq, event: it.event as unknown as LiveEvent });
    }
    return { type: 'events', items };
  }
  return null;
}
