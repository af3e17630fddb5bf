/**
 * Rows read from Postgres, validated by schema before they become API objects (a row this build
 * did not expect is a bug to log, not a shape to cast), and the column lists that produce them.
 */
import {
  FEATURE_NAMES,
  FEEDBACK_SOURCES,
  REASON_CODES,
  RULE_ACTIONS,
  type Case,
  type CaseComment,
  type FeatureName,
  type FeedbackRecord,
  type Reason,
  type RuleReason,
  type TransactionDetail,
  type TransactionSummary,
  type VerdictDelivery,
} from '@vigil/core';
import type { Sql } from 'postgres';
import * as z from 'zod/mini';

const DECISIONS = ['approve', 'review', 'decline'] as const;
const LABELS = ['fraud', 'legitimate'] as const;
const CASE_STATUSES = ['open', 'assigned', 'resolved'] as const;

/** A row failed its schema: the database holds something this build does not understand. */
export class RowError extends Error {
  readonly code = 'ROW_INVALID';
  constructor(what: string, cause: unknown) {
    super(`a ${what} row from Postgres does not match its schema`, { cause });
    this.name = 'RowError';
  }
}

function parseRow<S extends z.ZodMiniType>(what: string, schema: S, row: unknown): z.infer<S> {
  const r = z.safeParse(schema, row);
  if (!r.success) throw new RowError(what, r.error);
  return r.data;
}

const iso = (d: Date) => d.toISOString();
const nullableString = z.nullable(z.string());

/**
 * A stored reason: a feature's, which gets its sentence here, or (decisions since rules) the
 * deciding rule's, which carries its own.
 */
const storedReason = z.object({
  code: z.string(),
  feature: z.optional(z.string()),
  rule: z.optional(z.string()),
  message: z.optional(z.string()),
  contribution: z.number(),
});
const summaryRow = z.object({
  transaction_id: z.string(),
  ts: z.date(),
  customer_id: z.string(),
  terminal_id: z.string(),
  amount: z.number(),
  currency: nullableString,
  score: z.number(),
  decision: z.enum(DECISIONS),
  degraded: z.boolean(),
  scored_at: z.date(),
  label: z.nullable(z.enum(LABELS)),
  case_id: nullableString,
  case_status: z.nullable(z.enum(CASE_STATUSES)),
  reasons: z.array(storedReason),
});

/** The columns of a TransactionSummary, from `transactions t LEFT JOIN cases c`. */
export const summaryColumns = (sql: Sql) => sql`
  t.transaction_id, t.ts, t.customer_id, t.terminal_id, t.amount, t.currency, t.score,
  t.decision, t.degraded, t.scored_at, t.label, c.case_id, c.status AS case_status, t.reasons`;

/** A validated summary row as the API's TransactionSummary. */
export function toSummary(row: unknown): TransactionSummary {
  const r = parseRow('transaction', summaryRow, row);
  return {
    transaction_id: r.transaction_id,
    timestamp: iso(r.ts),
    customer_id: r.customer_id,
    terminal_id: r.terminal_id,
    amount: r.amount,
    currency: r.currency,
    score: r.score,
    decision: r.decision,
    degraded: r.degraded,
    scored_at: iso(r.scored_at),
    label: r.label,
    case_id: r.case_id,
    case_status: r.case_status,
    reasons: withMessages(r.reasons),
  };
}

const storedRuleMatch = z.object({ id: z.string(), action: z.enum(RULE_ACTIONS) });

const detailRow = z.extend(summaryRow, {
  channel: nullableString,
  country: nullableString,
  device_id: nullableString,
  ip: nullableString,
  features: z.record(z.string(), z.number()),
  model_version: z.string(),
  runtime: z.string(),
  latency_ms: z.number(),
  rules: z.nullable(z.array(storedRuleMatch)),
  shadow_rules: z.nullable(z.array(z.string())),
  ruleset_version: z.nullable(z.number()),
});

/** The columns of a TransactionDetail (besides its feedback, case and history). */
export const detailColumns = (sql: Sql) => sql`
  ${summaryColumns(sql)}, t.channel, t.country, t.device_id, t.ip, t.features,
  t.model_version, t.runtime, t.latency_ms, t.rules, t.shadow_rules, t.ruleset_version`;

function isFeatureName(s: string): s is FeatureName {
  return (FEATURE_NAMES as readonly string[]).includes(s);
}

/** Stored reasons with the sentence an analyst reads; a feature this build does not know is skipped. */
function withMessages(reasons: readonly z.infer<typeof storedReason>[]): (Reason | RuleReason)[] {
  const out: (Reason | RuleReason)[] = [];
  for (const r of reasons) {
    if (r.rule !== undefined && r.message !== undefined) {
      out.push({ code: r.code, rule: r.rule, message: r.message, contribution: 0 });
      continue;
    }
    if (r.feature === undefined || !isFeatureName(r.feature)) continue;
    out.push({
      code: r.code,
      feature: r.feature,
      contribution: r.contribution,
      message: REASON_CODES[r.feature].message,
    });
  }
  return out;
}

export type DetailCore = Omit<TransactionDetail, 'feedback' | 'case' | 'history'>;

/** A validated detail row: the TransactionDetail without its feedback, case and history. */
export function toDetailCore(row: unknown): DetailCore {
  const r = parseRow('transaction', detailRow, row);
  return {
    ...toSummary(row),
    channel: r.channel,
    country: r.country,
    device_id: r.device_id,
    ip: r.ip,
    features: r.features,
    model_version: r.model_version,
    runtime: r.runtime,
    latency_ms: r.latency_ms,
    rules: r.rules ?? [],
    shadow_rules: r.shadow_rules ?? [],
    ruleset_version: r.ruleset_version,
  };
}

const feedbackRow = z.object({
  event_id: z.string(),
  label: z.enum(LABELS),
  ts: z.date(),
  source: z.enum(FEEDBACK_SOURCES),
  actor: nullableString,
});

/** A validated feedback row as a FeedbackRecord. */
export function toFeedbackRecord(row: unknown): FeedbackRecord {
  const r = parseRow('feedback', feedbackRow, row);
  return {
    event_id: r.event_id,
    label: r.label,
    timestamp: iso(r.ts),
    source: r.source,
    actor: r.actor,
  };
}

const commentJson = z.object({ author: z.string(), body: z.string(), created_at: z.string() });

const deliveryJson = z.object({
  state: z.enum(['applied', 'pending', 'failed']),
  attempts: z.number(),
  last_status: z.nullable(z.number()),
  detail: nullableString,
  next_attempt_at: z.string(),
  updated_at: z.string(),
});

const caseRow = z.object({
  case_id: z.string(),
  transaction_id: z.string(),
  status: z.enum(CASE_STATUSES),
  assignee: nullableString,
  resolution: z.nullable(z.enum(['fraud', 'false_positive'])),
  opened_at: z.date(),
  updated_at: z.date(),
  version: z.number(),
  decision: z.enum(DECISIONS),
  score: z.number(),
  amount: z.number(),
  currency: nullableString,
  customer_id: z.string(),
  terminal_id: z.string(),
  comments: z.array(commentJson),
  verdict_delivery: z.nullable(deliveryJson),
});

/**
 * A Case with its transaction's fields, its comments (oldest first) and its verdict's delivery to
 * the edge, from `cases c JOIN transactions t`. The comments come as one JSON array per case: one query for a whole page.
 */
export const caseColumns = (sql: Sql) => sql`
  c.case_id, c.transaction_id, c.status, c.assignee, c.resolution, c.opened_at, c.updated_at,
  c.version, t.decision, t.score, t.amount, t.currency, t.customer_id, t.terminal_id,
  coalesce((
    SELECT json_agg(json_build_object('author', cc.author, 'body', cc.body,
                                      'created_at', cc.created_at) ORDER BY cc.id)
    FROM case_comments cc WHERE cc.case_id = c.case_id
  ), '[]'::json) AS comments,
  (
    SELECT json_build_object('state', d.state, 'attempts', d.attempts,
                             'last_status', d.last_status, 'detail', d.detail,
                             'next_attempt_at', d.next_attempt_at, 'updated_at', d.updated_at)
    FROM verdict_deliveries d WHERE d.case_id = c.case_id
  ) AS verdict_delivery`;

function toDelivery(d: z.infer<typeof deliveryJson> | null): VerdictDelivery | null {
  if (d === null) return null;
  return {
    state: d.state,
    attempts: d.attempts,
    last_status: d.last_status,
    detail: d.state === 'applied' ? null : d.detail,
    next_attempt_at: d.state === 'pending' ? new Date(d.next_attempt_at).toISOString() : null,
    updated_at: new Date(d.updated_at).toISOString(),
  };
}

/** A validated case row (with its comments) as a Case. */
export function toCase(row: unknown): Case {
  const r = parseRow('case', caseRow, row);
  const comments: CaseComment[] = r.comments.map((cm) => ({
    author: cm.author,
    body: cm.body,
    created_at: new Date(cm.created_at).toISOString(),
  }));
  return {
    case_id: r.case_id,
    transaction_id: r.transaction_id,
    status: r.status,
    assignee: r.assignee,
    resolution: r.resolution,
    opened_at: iso(r.opened_at),
    updated_at: iso(r.updated_at),
    version: r.version,
    decision: r.decision,
    score: r.score,
    amount: r.amount,
    currency: r.currency,
    customer_id: r.customer_id,
    terminal_id: r.terminal_id,
    comments,
    verdict_delivery: toDelivery(r.verdict_delivery),
  };
}
