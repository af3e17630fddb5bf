/**
 * The scoring API's answer (POST /v1/score, each item of /v1/score/batch), as ARCHITECTURE.md
 * fixes it: the one definition the edge writes, the backplane's traffic panel reads and the
 * dashboard shows. The edge's store keeps the serialised first answer of every transaction and
 * hands it back on replay, so the string crosses a border twice: it is validated with this schema
 * when it comes back, never cast.
 */
import * as z from 'zod/mini';
import { FEATURE_NAMES, type FeatureName } from '../features/feature-names.js';
import { REASON_CODES } from '../policy/reason-codes.js';
import type { Decision } from '../policy/decision.js';
import { toFieldIssues } from '../schema/issues.js';
import { RULE_ACTIONS } from '../rules/rules-contract.js';

/** Most transactions (or labels) in one batch request of the scoring API. */
export const MAX_SCORE_BATCH = 1_000;

export const featureReasonSchema = z.strictObject({
  code: z.string(),
  feature: z.enum(FEATURE_NAMES),
  /** Log-odds this feature added along the trees' decision paths. */
  contribution: z.number(),
  /** The reason in a plain sentence (core's REASON_CODES), as the analysts' API gives it. */
  message: z.string(),
});

/** The rule that decided, named in words (core's ruleReason). */
export const ruleReasonSchema = z.strictObject({
  code: z.string(),
  /** The rule's id. */
  rule: z.string(),
  message: z.string(),
  /** Always 0: a rule adds no log-odds. */
  contribution: z.number(),
});

/** A reason: a feature that raised the score, or the rule that decided. */
export const reasonSchema = z.union([featureReasonSchema, ruleReasonSchema]);

/** An active rule that matched (ARCHITECTURE.md, "Decision rules and lists"). */
export const ruleHitSchema = z.strictObject({ id: z.string(), action: z.enum(RULE_ACTIONS) });

const scoreAnswerShape = {
  transaction_id: z.string(),
  /** Fraud probability, 0 … 1. */
  score: z.number().check(z.gte(0), z.lte(1)),
  decision: z.enum(['approve', 'review', 'decline'] as const satisfies readonly Decision[]),
  reasons: z.array(reasonSchema),
  /**
   * The active rules that matched, in ruleset order ([] when none). Answers stored before rules
   * existed have none: they replay with [].
   */
  rules: z._default(z.array(ruleHitSchema), []),
  model_version: z.string(),
  /** Scored with fallback features (the feature store failed or timed out) or a fallback model. */
  degraded: z.boolean(),
  /** This is the first answer for a transaction_id seen before; no state changed. */
  replayed: z.boolean(),
};

export const scoreAnswerSchema = z.strictObject(scoreAnswerShape);

/** POST /v1/score/batch's answer: one answer per transaction, in request order. */
export const scoreBatchResponseSchema = z.strictObject({ results: z.array(scoreAnswerSchema) });

export type ScoreAnswer = z.infer<typeof scoreAnswerSchema>;
export type AnswerReason = z.infer<typeof reasonSchema>;
export type RuleHitAnswer = z.infer<typeof ruleHitSchema>;

const answerAmongOthers = z.looseObject(scoreAnswerShape);

/**
 * True for a valid answer that may carry other members beside it: the dashboard's check of
 * POST /api/traffic/one, which adds what was sent to the edge's answer.
 */
export function isScoreAnswer(v: unknown): v is ScoreAnswer {
  return z.safeParse(answerAmongOthers, v).success;
}

/** A number as JSON.stringify writes it. */
const num = (x: number) => (Number.isFinite(x) ? String(x) : 'null');

/**
 * The answer as JSON, fields in the documented order: exactly JSON.stringify's output, written by
 * hand because it is on the hot path (once per scored transaction) and the shape is fixed.
 */
export function serialiseAnswer(a: ScoreAnswer): string {
  let reasons = '';
  for (const r of a.reasons) {
    if (reasons !== '') reasons += ',';
    reasons +=
      'rule' in r
        ? `{"code":${JSON.stringify(r.code)},"rule":${JSON.stringify(r.rule)},` +
          `"message":${JSON.stringify(r.message)},"contribution":${num(r.contribution)}}`
        : `{"code":${JSON.stringify(r.code)},"feature":${JSON.stringify(r.feature)},` +
          `"contribution":${num(r.contribution)},"message":${JSON.stringify(r.message)}}`;
  }
  let rules = '';
  for (const h of a.rules) {
    if (rules !== '') rules += ',';
    rules += `{"id":${JSON.stringify(h.id)},"action":${JSON.stringify(h.action)}}`;
  }
  return (
    `{"transaction_id":${JSON.stringify(a.transaction_id)},"score":${num(a.score)},` +
    `"decision":${JSON.stringify(a.decision)},"reasons":[${reasons}],"rules":[${rules}],` +
    `"model_version":${JSON.stringify(a.model_version)},"degraded":${a.degraded},` +
    `"replayed":${a.replayed}}`
  );
}

/** A stored answer could not be read back: the store holds something this build did not write. */
export class StoredAnswerError extends Error {
  readonly code = 'STORED_ANSWER_INVALID';
}

/**
 * A stored answer from before reasons had sentences (issue 17) replays with them: a feature
 * reason without `message` gets its feature's from REASON_CODES, so a replay answers in today's
 * shape. Anything else is left for the schema to judge.
 */
function withReasonMessages(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || !('reasons' in raw)) return raw;
  const reasons = raw.reasons;
  if (!Array.isArray(reasons)) return raw;
  return {
    ...raw,
    reasons: reasons.map((r: unknown) => {
      if (typeof r !== 'object' || r === null || 'message' in r || !('feature' in r)) return r;
      const f = r.feature;
      return typeof f === 'string' && Object.hasOwn(REASON_CODES, f)
        ? { ...r, message: REASON_CODES[f as FeatureName].message }
        : r;
    }),
  };
}

/** Parse a stored answer (validated) and mark it replayed. */
export function replayAnswer(stored: string): ScoreAnswer {
  let raw: unknown;
  try {
    raw = JSON.parse(stored);
  } catch (cause) {
    throw new StoredAnswerError('stored answer is not JSON', { cause });
  }
  const r = z.safeParse(scoreAnswerSchema, withReasonMessages(raw));
  if (!r.success) {
    const where = toFieldIssues(r.error.issues)
      .map((i) => `${i.path || '/'}: ${i.message}`)
      .join('; ');
    throw new StoredAnswerError(`stored answer does not match the answer schema: ${where}`);
  }
  return { ...r.data, replayed: true };
}
