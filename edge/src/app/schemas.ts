/**
 * The scoring API's request and response envelopes, in zod "mini" like core's schemas. Items are
 * core's (transactionSchema, feedbackSchema); these add the batch wrappers and the small answers.
 * The handlers validate with them and the OpenAPI document is generated from them.
 */
import {
  feedbackSchema,
  toFieldIssues,
  transactionIdSchema,
  transactionSchema,
  validateFeedback,
  validateTransaction,
  type FieldIssue,
  type Feedback,
  type Transaction,
  type Validated,
  MAX_SCORE_BATCH,
} from '@vigil/core';
import * as z from 'zod/mini';
import { MAX_REPORTED_ISSUES } from './problem.js';

const batchSize = (field: string) => [
  z.minLength(1, `${field} must hold at least one item`),
  z.maxLength(MAX_SCORE_BATCH, `${field} may hold at most ${MAX_SCORE_BATCH} items`),
];

export const scoreBatchRequestSchema = z.strictObject(
  { transactions: z.array(transactionSchema).check(...batchSize('transactions')) },
  'the body must be a JSON object',
);

export const feedbackBatchRequestSchema = z.strictObject(
  { feedback: z.array(feedbackSchema).check(...batchSize('feedback')) },
  'the body must be a JSON object',
);

export const labelOutcomeSchema = z.enum(['applied', 'unchanged']);

export const feedbackAcceptedSchema = z.strictObject({
  transaction_id: transactionIdSchema,
  label: feedbackSchema.shape.label,
  /** `unchanged`: the transaction already had this label. */
  outcome: labelOutcomeSchema,
});

export const feedbackBatchAcceptedSchema = z.strictObject({
  accepted: z.number(),
  applied: z.number(),
  unchanged: z.number(),
});

export const healthSchema = z.strictObject({
  status: z.literal('ok'),
  model_version: z.string(),
  runtime: z.string(),
});

export const fieldIssueSchema = z.strictObject({
  /** JSON Pointer (RFC 6901) to the offending field; '' is the whole body. */
  path: z.string(),
  message: z.string(),
});

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  errors: z.optional(z.array(fieldIssueSchema)),
  instance: z.optional(z.string()),
});

type BatchField = 'transactions' | 'feedback';

const envelope = (field: BatchField) =>
  z.strictObject(
    { [field]: z.array(z.unknown()).check(...batchSize(field)) },
    'the body must be a JSON object',
  );
const ENVELOPES = { transactions: envelope('transactions'), feedback: envelope('feedback') };

/**
 * Validate a batch: the envelope first (an object with 1 … MAX_SCORE_BATCH items), then each item with
 * core's validator under its index, so issues read `/transactions/3/amount`. Checking the count
 * before the items bounds the work a huge array can cost.
 */
function validateBatch<T>(
  input: unknown,
  field: BatchField,
  validateItem: (item: unknown, prefix: readonly PropertyKey[]) => Validated<T>,
): Validated<T[]> {
  const r = z.safeParse(ENVELOPES[field], input);
  if (!r.success) return { ok: false, issues: toFieldIssues(r.error.issues) };
  const items = r.data[field] as unknown[];
  const values: T[] = [];
  const issues: FieldIssue[] = [];
  for (let i = 0; i < items.length; i++) {
    const v = validateItem(items[i], [field, i]);
    if (v.ok) values.push(v.value);
    else if (issues.length <= MAX_REPORTED_ISSUES) issues.push(...v.issues);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: values };
}

export function validateScoreBatch(input: unknown): Validated<Transaction[]> {
  return validateBatch(input, 'transactions', validateTransaction);
}

export function validateFeedbackBatch(input: unknown): Validated<Feedback[]> {
  return validateBatch(input, 'feedback', validateFeedback);
}
