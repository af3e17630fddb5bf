import {
  EVENT_SCHEMA_VERSION,
  feedbackEventId,
  validateFeedback,
  verdictTimeUs,
  type EmitOptions,
  type Feedback,
  type FeedbackEventV1,
  type LabelBatchOutcome,
  type LabelOutcome,
} from '@vigil/core';
import { Hono } from 'hono';
import { limitBody, scoreCallOf, type AppContext, type EdgeEnv } from '../app-context.js';
import { ProblemError, validationProblem } from '../problem.js';
import { readJsonBody } from '../read-json.js';
import { validateFeedbackBatch } from '../schemas.js';

const TIMED_OUT = Symbol('timed out');

/**
 * The store's label call, within a deadline. Unlike scoring there is no degraded answer for a
 * label: a store that fails or hangs is a 503 the caller retries (labels are idempotent).
 */
async function label(ctx: AppContext, items: readonly Feedback[]): Promise<LabelBatchOutcome> {
  const unavailable = (cause: unknown): never => {
    ctx.log({ level: 'error', msg: 'feature store: label failed', error: cause });
    throw new ProblemError('unavailable', 'the feature store is unavailable: retry later', {
      headers: { 'retry-after': '1' },
    });
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    // The verdict's time goes with it: the store keeps the latest verdict by time, as Postgres
    // does, whatever order verdicts arrive in.
    const work = ctx.store.label(
      items.map((f) => ({
        transactionId: f.transaction_id,
        label: f.label,
        timeUs: verdictTimeUs(f.timestamp),
      })),
    );
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), ctx.labelTimeoutMs);
    });
    const r = await Promise.race([work, deadline]);
    if (r === TIMED_OUT) {
      work.catch(() => undefined);
      return unavailable(new Error(`no answer within ${ctx.labelTimeoutMs} ms`));
    }
    if (r.ok ? r.outcomes.length !== items.length : !Array.isArray(r.unknown)) {
      return unavailable(new Error('feature store: malformed label outcome'));
    }
    return r;
  } catch (error) {
    if (error instanceof ProblemError) throw error;
    return unavailable(error);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/**
 * Count and emit accepted labels, as core's feedback events. Without `customer_id`: the store's
 * label call does not return it, and a second lookup is not worth it (the backplane keys such an
 * event by transaction_id and its consumer joins the decision for the customer).
 */
function accepted(
  ctx: AppContext,
  items: readonly Feedback[],
  outcomes: readonly LabelOutcome[],
  options: EmitOptions,
) {
  const events: FeedbackEventV1[] = items.map((f, i) => {
    ctx.metrics.labels.inc({ label: f.label, outcome: outcomes[i]! });
    return {
      event_id: feedbackEventId(f.transaction_id, f.label, f.timestamp),
      schema_version: EVENT_SCHEMA_VERSION,
      type: 'feedback',
      transaction_id: f.transaction_id,
      label: f.label,
      timestamp: f.timestamp,
      source: 'api',
    };
  });
  ctx.sink.emit(events, options);
}

function unknownProblem(items: readonly Feedback[], unknown: readonly number[], batch: boolean) {
  const ids = unknown.map((i) => items[i]?.transaction_id ?? `#${i}`);
  return new ProblemError(
    'unknown-transaction',
    `unknown transaction_id ${ids.join(', ')} (never scored here, or past the store's ` +
      'retention); nothing was applied',
    {
      errors: unknown.map((i, k) => ({
        path: batch ? `/feedback/${i}/transaction_id` : '/transaction_id',
        message: `unknown transaction_id ${ids[k]!}`,
      })),
    },
  );
}

/** POST /v1/feedback and /v1/feedback/batch. */
export function feedbackRoutes(ctx: AppContext): Hono<EdgeEnv> {
  const r = new Hono<EdgeEnv>();

  r.post('/feedback', limitBody(ctx.limits.single), async (c) => {
    const v = validateFeedback(await readJsonBody(c, ctx.bodyTimeoutMs));
    if (!v.ok) throw validationProblem(v.issues);
    const out = await label(ctx, [v.value]);
    if (!out.ok) throw unknownProblem([v.value], out.unknown, false);
    accepted(ctx, [v.value], out.outcomes, scoreCallOf(c, ctx.runtime));
    const { transaction_id, label: l } = v.value;
    return c.json({ transaction_id, label: l, outcome: out.outcomes[0]! }, 202);
  });

  r.post('/feedback/batch', limitBody(ctx.limits.batch), async (c) => {
    const v = validateFeedbackBatch(await readJsonBody(c, ctx.bodyTimeoutMs));
    if (!v.ok) throw validationProblem(v.issues);
    const out = await label(ctx, v.value);
    if (!out.ok) throw unknownProblem(v.value, out.unknown, true);
    accepted(ctx, v.value, out.outcomes, scoreCallOf(c, ctx.runtime));
    const applied = out.outcomes.filter((o) => o === 'applied').length;
    return c.json({ accepted: v.value.length, applied, unchanged: v.value.length - applied }, 202);
  });

  return r;
}
