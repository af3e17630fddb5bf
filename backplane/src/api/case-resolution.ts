/**
 * Resolving a case: the analyst's verdict becomes a label. Inside one database transaction the
 * case is marked resolved and the feedback event is handed to Kafka (`emitFeedback`): if Kafka
 * refuses it, the resolution rolls back and the analyst retries, so a resolved case always has its
 * label on the way. After the commit the verdict goes to the edge's POST /v1/feedback, so the
 * risk of the transaction's terminal and card changes for the next transactions; an edge that is down or does not know the
 * transaction does not undo the resolution: the answer says `edge_forwarded: false` and why.
 *
 * The same verdict reaches Postgres by two roads (the analyst's event via Kafka, the edge's
 * event for the forwarded label); both carry the same transaction, label and timestamp, hence
 * the same `event_id`, and the consumer keeps one.
 */
import {
  feedbackEventId,
  validateEvent,
  type Case,
  type CaseResolution,
  type FeedbackEventV1,
} from '@vigil/core';
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { ResolveCaseResponse } from './api-types.js';
import { getCase, mustGet, whyNotUpdated } from './cases-queries.js';
import type { EdgeClient } from './edge-client.js';
import { ProblemError } from '../http/problem.js';
import { toFeedbackRecord } from './rows.js';

export interface ResolveInput {
  readonly resolution: CaseResolution;
  readonly comment?: string;
  readonly version?: number;
}

export interface ResolveContext {
  readonly sql: Sql;
  emitFeedback(events: FeedbackEventV1[]): Promise<void>;
  readonly edge: EdgeClient | null;
  readonly log: Logger;
  readonly now: () => Date;
}

/** How the edge is told: a few quick tries, then give up and say so. */
const EDGE_FEEDBACK = { attempts: 3, timeoutMs: 2_000, backoffMs: 200 } as const;

/** The feedback label of a resolution. */
export const labelOf = (r: CaseResolution) => (r === 'fraud' ? 'fraud' : 'legitimate');

type Outcome =
  | { readonly kind: 'resolved'; readonly case: Case; readonly event: FeedbackEventV1 }
  | { readonly kind: 'replayed' };

/** Resolve `caseId` as `actor`; a repeat of the same resolution is answered, not refused. */
export async function resolveCase(
  ctx: ResolveContext,
  caseId: string,
  input: ResolveInput,
  actor: string,
): Promise<{ response: ResolveCaseResponse; changed: boolean }> {
  const now = ctx.now();
  const outcome = await ctx.sql.begin(async (tx): Promise<Outcome> => {
    const v = input.version ?? null;
    const [u] = await tx`
      UPDATE cases c
      SET status = 'resolved', resolution = ${input.resolution}, version = c.version + 1,
          updated_at = ${now}
      FROM transactions t
      WHERE c.case_id = ${caseId} AND t.transaction_id = c.transaction_id
        AND c.status <> 'resolved' AND (${v}::int IS NULL OR c.version = ${v}::int)
      RETURNING c.transaction_id, t.customer_id`;
    if (!u) {
      const [row] = await tx`SELECT status, resolution FROM cases WHERE case_id = ${caseId}`;
      if (row && row.status === 'resolved' && row.resolution === input.resolution) {
        return { kind: 'replayed' };
      }
      throw await whyNotUpdated(tx, caseId, input.version);
    }
    if (input.comment !== undefined) {
      await tx`INSERT INTO case_comments (case_id, author, body, created_at)
               VALUES (${caseId}, ${actor}, ${input.comment}, ${now})`;
    }
    const event = feedbackEvent(
      String(u.transaction_id),
      String(u.customer_id),
      caseId,
      input.resolution,
      now.toISOString(),
      actor,
    );
    try {
      await ctx.emitFeedback([event]);
    } catch (error) {
      ctx.log.error(
        { err: error, case_id: caseId },
        'analysts API: feedback not accepted by Kafka',
      );
      throw new ProblemError(
        'unavailable',
        'the verdict could not be handed to Kafka, so the case was left unresolved: retry',
        { headers: { 'retry-after': '5' }, cause: error },
      );
    }
    return { kind: 'resolved', case: await mustGet(tx, caseId), event };
  });

  if (outcome.kind === 'replayed') return { response: await replay(ctx, caseId), changed: false };
  const forwarded = await forward(ctx, outcome.event);
  return {
    response: {
      ...outcome.case,
      feedback_event_id: outcome.event.event_id,
      replayed: false,
      ...forwarded,
    },
    changed: true,
  };
}

/** The analyst's feedback event, validated like every event that enters Kafka. */
function feedbackEvent(
  transactionId: string,
  customerId: string,
  caseId: string,
  resolution: CaseResolution,
  timestamp: string,
  actor: string,
): FeedbackEventV1 {
  const label = labelOf(resolution);
  const candidate: FeedbackEventV1 = {
    event_id: feedbackEventId(transactionId, label, timestamp),
    schema_version: 1,
    type: 'feedback',
    transaction_id: transactionId,
    label,
    timestamp,
    source: 'analyst',
    customer_id: customerId,
    case_id: caseId,
    actor,
  };
  const v = validateEvent(candidate);
  if (!v.ok || v.value.type !== 'feedback') {
    throw new Error(`analysts API built an invalid feedback event: ${JSON.stringify(v)}`);
  }
  return v.value;
}

/**
 * The same resolution again (a retry, a double click): nothing changes; the verdict is sent to the
 * edge once more with its original timestamp (harmless: the edge applies a label once), which is
 * how an analyst retries a forward that failed while the edge was down.
 */
async function replay(ctx: ResolveContext, caseId: string): Promise<ResolveCaseResponse> {
  const c = await getCase(ctx.sql, caseId);
  if (c === null) throw new ProblemError('not-found', `no case ${caseId}`);
  const [fb] = await ctx.sql`
    SELECT event_id, label, ts FROM feedback
    WHERE case_id = ${caseId} AND source = 'analyst'
    ORDER BY ts DESC LIMIT 1`;
  if (!fb) {
    return {
      ...c,
      feedback_event_id: null,
      replayed: true,
      edge_forwarded: false,
      edge_detail:
        'the verdict has not reached Postgres yet: resolve again in a moment to forward it',
    };
  }
  const r = toFeedbackRecord({ ...fb, source: 'analyst', actor: null });
  const forwarded = await forward(ctx, {
    transaction_id: c.transaction_id,
    label: r.label,
    timestamp: r.timestamp,
  });
  return { ...c, feedback_event_id: r.event_id, replayed: true, ...forwarded };
}

/** Tell the edge; the outcome is reported, never thrown. */
async function forward(
  ctx: ResolveContext,
  fb: Pick<FeedbackEventV1, 'transaction_id' | 'label' | 'timestamp'>,
): Promise<{ edge_forwarded: boolean; edge_detail: string | null }> {
  if (ctx.edge === null) return { edge_forwarded: false, edge_detail: 'no edge is configured' };
  const body = { transaction_id: fb.transaction_id, label: fb.label, timestamp: fb.timestamp };
  const r = await ctx.edge.post('/v1/feedback', body, EDGE_FEEDBACK);
  if (r.ok) return { edge_forwarded: true, edge_detail: null };
  const detail =
    r.status === 404
      ? `the edge does not know transaction ${fb.transaction_id} (never scored there, or past its retention)`
      : r.detail;
  ctx.log.warn(
    { transaction_id: fb.transaction_id, status: r.status, detail },
    'analysts API: verdict not forwarded to the edge',
  );
  return { edge_forwarded: false, edge_detail: detail };
}
