/**
 * One line of a user's labelled history, as `npm run train -- --in FILE` reads it: the scoring
 * API's transaction (the same schema, so whatever trains is what the edge would have scored) plus
 * its label. `fraud_scenario` is what `npm run simulate` writes beside it: accepted, never used.
 */
import * as z from 'zod/mini';
import { eventTimeSchema } from '../schema/event-time.js';
import { toFieldIssues, type Validated } from '../schema/issues.js';
import { transactionSchema } from '../schema/transaction.js';

export const labelledTransactionSchema = z.extend(transactionSchema, {
  is_fraud: z.union(
    [z.literal(0), z.literal(1), z.boolean()],
    'is_fraud is required and must be 0, 1, true or false',
  ),
  /** When the label became known (a verdict's time); absent → the transaction's time + a delay. */
  label_time: z.optional(eventTimeSchema),
  fraud_scenario: z.optional(
    z
      .number('fraud_scenario must be an integer 0..3')
      .check(z.int('fraud_scenario must be an integer 0..3'), z.gte(0), z.lte(3)),
  ),
});

export type LabelledTransaction = z.infer<typeof labelledTransactionSchema>;

/** Validate one untrusted line's value; issues are JSON Pointers into the line's object. */
export function validateLabelledTransaction(input: unknown): Validated<LabelledTransaction> {
  const r = z.safeParse(labelledTransactionSchema, input);
  if (!r.success) return { ok: false, issues: toFieldIssues(r.error.issues) };
  // A label is a verdict on a transaction that happened: one dated before it is a data error.
  // Compared as instants: the two texts may differ in their fractions' lengths.
  if (
    r.data.label_time !== undefined &&
    Date.parse(r.data.label_time) < Date.parse(r.data.timestamp)
  )
    return {
      ok: false,
      issues: [{ path: '/label_time', message: 'label_time must not be before timestamp' }],
    };
  return { ok: true, value: r.data };
}
