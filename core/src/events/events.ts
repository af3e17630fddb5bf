/**
 * The events the edge sends to the backplane and the backplane writes to Kafka
 * (`vigil.decisions.v1`, `vigil.feedback.v1`) and Postgres. Versioned JSON, validated at every
 * border with the same zod "mini" style as the API schemas; every event carries a stable
 * `event_id`, derived from what it records, so that a retry, a replay or the same verdict arriving
 * by two roads (the edge and the analysts' API) is one event, not two.
 */
import * as z from 'zod/mini';
import { FEATURE_NAMES } from '../features/feature-names.js';

import { FEEDBACK_LABELS } from '../schema/feedback.js';
import { MAX_RULES, RULE_ACTIONS, RULE_ID } from '../rules/rules-contract.js';
import { toFieldIssues, type Validated } from '../schema/issues.js';
import { storedEventTimeSchema } from '../schema/event-time.js';
import { isStorableText, storableString, storableText } from '../schema/storable-text.js';
import { storedTransactionSchema, transactionIdSchema } from '../schema/transaction.js';

export const EVENT_SCHEMA_VERSION = 1;
export const DECISIONS_TOPIC = 'vigil.decisions.v1';
export const FEEDBACK_TOPIC = 'vigil.feedback.v1';

/** At most this many events in one signed ingest POST (and one Kafka send). */
export const MAX_INGEST_EVENTS = 2000;

const eventIdSchema = z
  .string('event_id is required and must be a string')
  .check(
    z.minLength(1, 'event_id must not be empty'),
    z.maxLength(300, 'event_id must be at most 300 characters'),
    storableText('event_id'),
  );

const text = storableString;

const featureReasonSchema = z.strictObject({
  code: text('code', 1, 200),
  feature: text('feature', 1, 200),
  contribution: z.number(),
});

/** The rule that decided, named in words (core's ruleReason). */
const ruleReasonSchema = z.strictObject({
  code: text('code', 1, 200),
  rule: text('rule', 1, 200),
  message: text('message', 1, 500),
  contribution: z.number(),
});

const reasonSchema = z.union(
  [featureReasonSchema, ruleReasonSchema],
  'a reason must be a feature reason {code, feature, contribution} or a rule reason {code, rule, message, contribution}',
);

const ruleIdSchema = z
  .string('a rule id must be a string')
  .check(z.regex(RULE_ID, 'a rule id must be 1–64 characters of a–z, 0–9 and _'));

const ruleHitSchema = z.strictObject(
  {
    id: ruleIdSchema,
    action: z.enum(RULE_ACTIONS, `action must be one of ${RULE_ACTIONS.join(', ')}`),
  },
  'a rule must be an object {id, action}',
);

/**
 * The feature vector: an object whose every value is a finite number, each bad one named. One loop
 * rather than z.record(z.string(), z.number()): zod's per-key record parse was the largest single
 * cost of validating a decision event (24 features; docs/measurements.md), and the backplane
 * validates every event it ingests.
 */
const featuresSchema = z
  .custom<Record<string, number>>((v) => {
    if (typeof v !== 'object' || v === null) return false;
    // A plain object, as JSON.parse makes: no array, typed array, Date or class instance.
    const proto: unknown = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
  }, 'features must be an object of feature names to numbers')
  .check((ctx) => {
    const v = ctx.value as Record<string, unknown>;
    for (const name of Object.keys(v)) {
      // The names are stored too (the features json column): the same text rule as any string.
      if (!isStorableText(name)) {
        ctx.issues.push({
          code: 'custom',
          message: 'feature names must not contain NUL characters or unpaired UTF-16 surrogates',
          input: name,
          path: [name],
        });
        continue;
      }
      const x = v[name];
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        ctx.issues.push({
          code: 'custom',
          message: `features.${name} must be a finite number`,
          input: x,
          path: [name],
        });
      }
    }
  });

const runtimeSchema = z.enum(['node', 'workers'], 'runtime must be node or workers');
const finite = (what: string) => z.number(`${what} must be a finite number`);

export const decisionEventSchema = z.strictObject(
  {
    event_id: eventIdSchema,
    schema_version: z.literal(EVENT_SCHEMA_VERSION, 'schema_version must be 1'),
    type: z.literal('decision'),
    transaction: storedTransactionSchema,
    score: finite('score').check(z.gte(0), z.lte(1)),
    decision: z.enum(
      ['approve', 'review', 'decline'],
      'decision must be one of approve, review, decline',
    ),
    reasons: z.array(reasonSchema).check(z.maxLength(10)),
    /** The feature vector the model saw, by feature name. */
    features: featuresSchema,
    model_version: text('model_version', 1, 200),
    degraded: z.boolean(),
    /** Wall-clock time of the decision (the transaction's own time is in `transaction`). */
    scored_at: storedEventTimeSchema,
    runtime: runtimeSchema,
    /** Server time spent on this decision's request, in ms (the edge's `total` server timing). */
    latency_ms: finite('latency_ms').check(z.gte(0)),
    /** The active rules that matched (absent: sent by an edge without rules). */
    rules: z.optional(z.array(ruleHitSchema).check(z.maxLength(MAX_RULES))),
    /** Ids of the shadow rules that matched: recorded, never acting. */
    shadow_rules: z.optional(z.array(ruleIdSchema).check(z.maxLength(MAX_RULES))),
    /**
     * The challenger model's verdict on the same feature row, scored off the answer's latency
     * path and never acting (absent: no challenger, or it failed on this transaction).
     */
    challenger: z.optional(
      z.strictObject(
        {
          model_version: text('challenger.model_version', 1, 200),
          score: finite('challenger.score').check(z.gte(0), z.lte(1)),
          decision: z.enum(
            ['approve', 'review', 'decline'],
            'challenger.decision must be one of approve, review, decline',
          ),
        },
        'challenger must be an object {model_version, score, decision}',
      ),
    ),
    /** The ruleset version the edge ran (0: none yet). */
    ruleset_version: z.optional(
      z
        .number('ruleset_version must be an integer ≥ 0')
        .check(z.int('ruleset_version must be an integer ≥ 0'), z.gte(0), z.lte(2 ** 31 - 1)),
    ),
  },
  'a decision event must be a JSON object',
);

export const FEEDBACK_SOURCES = ['api', 'analyst'] as const;

export const feedbackEventSchema = z.strictObject(
  {
    event_id: eventIdSchema,
    schema_version: z.literal(EVENT_SCHEMA_VERSION, 'schema_version must be 1'),
    type: z.literal('feedback'),
    transaction_id: transactionIdSchema,
    label: z.enum(FEEDBACK_LABELS, `label must be one of ${FEEDBACK_LABELS.join(', ')}`),
    /** When the label became known. */
    timestamp: storedEventTimeSchema,
    source: z.enum(FEEDBACK_SOURCES, `source must be one of ${FEEDBACK_SOURCES.join(', ')}`),
    /** The transaction's customer where the sender knows it: the Kafka key (else transaction_id). */
    customer_id: z.optional(text('customer_id', 1, 128)),
    /** The analyst's case this verdict resolves, for source `analyst`. */
    case_id: z.optional(text('case_id', 1, 200)),
    /** Who gave the verdict (an analyst's name), for source `analyst`. */
    actor: z.optional(text('actor', 0, 200)),
  },
  'a feedback event must be a JSON object',
);

export type DecisionEventV1 = z.infer<typeof decisionEventSchema>;
export type FeedbackEventV1 = z.infer<typeof feedbackEventSchema>;
export type VigilEvent = DecisionEventV1 | FeedbackEventV1;

export const ingestBatchSchema = z.strictObject(
  {
    events: z
      .array(z.discriminatedUnion('type', [decisionEventSchema, feedbackEventSchema]))
      .check(
        z.minLength(1, 'events must not be empty'),
        z.maxLength(MAX_INGEST_EVENTS, `at most ${MAX_INGEST_EVENTS} events per batch`),
      ),
  },
  'an ingest batch must be a JSON object',
);

export type IngestBatch = z.infer<typeof ingestBatchSchema>;

/** The one decision a transaction gets (scoring is idempotent by transaction_id). */
export function decisionEventId(transactionId: string): string {
  return `dec:${transactionId}`;
}

/** One verdict: the same transaction, label and time is the same event whoever sends it. */
export function feedbackEventId(transactionId: string, label: string, timestamp: string): string {
  return `fb:${transactionId}:${label}:${timestamp}`;
}

/** Kafka key of an event: its customer, so one customer's events stay in order on one partition. */
export function eventKey(e: VigilEvent): string {
  return e.type === 'decision' ? e.transaction.customer_id : (e.customer_id ?? e.transaction_id);
}

export function topicOf(e: VigilEvent): string {
  return e.type === 'decision' ? DECISIONS_TOPIC : FEEDBACK_TOPIC;
}

/** Validate an untrusted ingest batch: every bad event named by index and field, or all good. */
export function validateIngestBatch(input: unknown): Validated<IngestBatch> {
  const r = z.safeParse(ingestBatchSchema, input);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, issues: toFieldIssues(r.error.issues) };
}

/** Validate one event (a Kafka message's value, say). */
export function validateEvent(input: unknown): Validated<VigilEvent> {
  const r = z.safeParse(
    z.discriminatedUnion('type', [decisionEventSchema, feedbackEventSchema]),
    input,
  );
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, issues: toFieldIssues(r.error.issues) };
}

/** The feature vector as the event records it: by name, in the model's order. */
export function featuresRecord(x: ArrayLike<number>, offset = 0): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < FEATURE_NAMES.length; i++) out[FEATURE_NAMES[i]!] = x[offset + i]!;
  return out;
}
