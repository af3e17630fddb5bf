/**
 * Analysts' and issuers' verdicts on scored transactions, as the scoring API accepts them. Same
 * style as transaction.ts: zod "mini", strict objects, JSON-Pointer issues, one definition shared
 * by the handler and the OpenAPI document.
 */
import * as z from 'zod/mini';
import { toFieldIssues, type Validated } from './issues.js';
import { eventTimeSchema } from './event-time.js';
import { transactionIdSchema } from './transaction.js';

/** The two verdicts: `legitimate` after `fraud` withdraws the fraud. */
export const FEEDBACK_LABELS = ['fraud', 'legitimate'] as const;
export type FeedbackLabel = (typeof FEEDBACK_LABELS)[number];

export const feedbackSchema = z.strictObject(
  {
    transaction_id: transactionIdSchema,
    label: z.enum(FEEDBACK_LABELS, `label must be one of ${FEEDBACK_LABELS.join(', ')}`),
    /**
     * When the label became known (not the transaction's time), handed on in UTC. The event-time
     * rule applies: a verdict dated 0000 cannot be stored, and one dated 9999 would stay every
     * later verdict's "latest" for ever.
     */
    timestamp: eventTimeSchema,
  },
  'feedback must be a JSON object',
);

/** One label for a scored transaction. */
export type Feedback = z.infer<typeof feedbackSchema>;

/** Validate one untrusted feedback item; `prefix` roots the reported paths (e.g. a batch index). */
export function validateFeedback(
  input: unknown,
  prefix: readonly PropertyKey[] = [],
): Validated<Feedback> {
  const r = z.safeParse(feedbackSchema, input);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, issues: toFieldIssues(r.error.issues, prefix) };
}
