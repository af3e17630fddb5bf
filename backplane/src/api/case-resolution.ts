/**
 * Resolving a case: the analyst's verdict becomes a label. Inside one database transaction the
 * case is marked resolved, the verdict is recorded for delivery to the edge (`verdict_deliveries`)
 * and the feedback event is handed to Kafka (`emitFeedback`): if Kafka refuses it, the resolution
 * rolls back and the analyst retries, so a resolved case always has its label on the way. After the
 * commit the verdict is tried at the edge's POST /v1/feedback, so the risk of the transaction's
 * terminal and card changes for the next transactions; an edge that is down, errs or does not
 * know the transaction does not undo the resolution: the verdict stays pending in Postgres and
 * the deliverer retries it (./verdict-delivery), and the case says where it stands
 * (`verdict_delivery`; the answer's `edge_forwarded` and `edge_detail`).
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
import type { Sql, TransactionSql } from 'postgres';
import type { ResolveCaseResponse } from './api-types.js';
import { writeAudit } from './audit/audit-log.js';
import { getCase, whyNotUpdated } from './cases-queries.js';
import { ProblemError } from '../http/problem.js';
import { toFeedbackRecord } from './rows.js';
import { insertPending, requeue, type DueVerdict } from './verdict-delivery/delivery-store.js';
import type { VerdictDeliverer } from './verdict-delivery/verdict-deliverer.js';

export interface ResolveInput {
  readonly resolution: CaseResolution;
  readonly comment?: string;
  readonly version?: number;
}

export interface ResolveContext {
  readonly sql: Sql;
  emitFeedback(events: FeedbackEventV1[]): Promise<void>;
  /** Hands verdicts to the edge and retries them; null when no edge is configured. */
  readonly deliverer: VerdictDeliverer | null;
  readonly log: Logger;
  readonly now: () => Date;
}

/**
 * The first try, while the analyst waits: a few quick tries against a blip; what still fails is
 * left to the deliverer's backoff.
 */
export const FIRST_TRY = { attempts: 3, timeoutMs: 2_000, backoffMs: 200 } as const;

/** The feedback label of a resolution. */
export const labelOf = (r: CaseResolution) => (r === 'fraud' ? 'fraud' : 'legitimate');

type Outcome =
  | {
      readonly kind: 'resolved';
      readonly event: FeedbackEventV1;
      readonly delivery: DueVerdict | null;
    }
  | { readonly kind: 'replayed' };

/**
 * One case's resolution inside `tx`: the case marked resolved, the comment, the audit row, the
 * verdict's delivery recorded; the feedback event to hand to Kafka is returned (the caller sends
 * it inside the same transaction). A repeat of the same resolution is `replayed`; anything else
 * that cannot be resolved throws its problem (404, 409).
 */
export async function resolveInTx(
  ctx: ResolveContext,
  tx: TransactionSql,
  caseId: string,
  input: ResolveInput,
  actor: string,
  now: Date,
): Promise<Outcome> {
  const v = input.version ?? null;
  const [u] = await tx<
    {
      transaction_id: string;
      customer_id: string;
      version: number;
      old_status: string;
      old_assignee: string | null;
      old_version: number;
    }[]
  >`
    UPDATE cases c
    SET status = 'resolved', resolution = ${input.resolution}, version = c.version + 1,
        updated_at = ${now}
    FROM transactions t,
      (SELECT case_id, status, assignee, version FROM cases
        WHERE case_id = ${caseId} FOR UPDATE) old
    WHERE c.case_id = ${caseId} AND t.transaction_id = c.transaction_id
      AND old.case_id = c.case_id
      AND c.status <> 'resolved' AND (${v}::int IS NULL OR c.version = ${v}::int)
    RETURNING c.transaction_id, t.customer_id, c.version,
      old.status AS old_status, old.assignee AS old_assignee, old.version AS old_version`;
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
  await writeAudit(
    tx,
    [
      {
        actor,
        action: 'case.resolve',
        target: `case:${caseId}`,
        before: { status: u.old_status, assignee: u.old_assignee, version: u.old_version },
        after: {
          status: 'resolved',
          resolution: input.resolution,
          version: u.version,
          feedback_event_id: event.event_id,
          // The comment added in the same change: audited here, as POST …/comments audits its own.
          ...(input.comment === undefined ? {} : { comment: input.comment }),
        },
      },
    ],
    now,
  );
  const delivery =
    ctx.deliverer === null
      ? null
      : await insertPending(tx, { ...event, case_id: caseId }, now, ctx.deliverer.leaseUntil());
  return { kind: 'resolved', event, delivery };
}

/**
 * Hand the verdicts to Kafka inside the resolving transaction: if Kafka refuses them, it rolls
 * back and the analyst retries, so a resolved case always has its label on the way.
 */
export async function emitInTx(
  ctx: ResolveContext,
  events: FeedbackEventV1[],
  caseIds: readonly string[],
): Promise<void> {
  try {
    await ctx.emitFeedback(events);
  } catch (error) {
    ctx.log.error(
      { err: error, case_ids: caseIds.slice(0, 10), cases: caseIds.length },
      'analysts API: feedback not accepted by Kafka',
    );
    throw new ProblemError(
      'unavailable',
      'the verdict could not be handed to Kafka, so the case was left unresolved: retry',
      { headers: { 'retry-after': '5' }, cause: error },
    );
  }
}

/** Resolve `caseId` as `actor`; a repeat of the same resolution is answered, not refused. */
export async function resolveCase(
  ctx: ResolveContext,
  caseId: string,
  input: ResolveInput,
  actor: string,
): Promise<{ response: ResolveCaseResponse; changed: boolean }> {
  const now = ctx.now();
  const outcome = await ctx.sql.begin(async (tx): Promise<Outcome> => {
    const o = await resolveInTx(ctx, tx, caseId, input, actor, now);
    if (o.kind === 'resolved') await emitInTx(ctx, [o.event], [caseId]);
    return o;
  });

  if (outcome.kind === 'replayed') return { response: await replay(ctx, caseId), changed: false };
  if (outcome.delivery) await ctx.deliverer?.tryNow(outcome.delivery, FIRST_TRY);
  const c = await mustGetCase(ctx, caseId);
  return {
    response: {
      ...c,
      feedback_event_id: outcome.event.event_id,
      replayed: false,
      ...edgeFields(c),
    },
    changed: true,
  };
}

async function mustGetCase(ctx: ResolveContext, caseId: string): Promise<Case> {
  const c = await getCase(ctx.sql, caseId);
  if (c === null) throw new ProblemError('not-found', `no case ${caseId}`);
  return c;
}

/** The answer's summary of the case's verdict delivery (kept from before deliveries had a state). */
function edgeFields(c: Case): { edge_forwarded: boolean; edge_detail: string | null } {
  const d = c.verdict_delivery;
  if (d === null) return { edge_forwarded: false, edge_detail: 'no edge is configured' };
  if (d.state === 'applied') return { edge_forwarded: true, edge_detail: null };
  const tail = d.state === 'pending' ? ' — kept and retried' : '';
  return { edge_forwarded: false, edge_detail: `${d.detail ?? 'not tried yet'}${tail}` };
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
 * The same resolution again (a retry, a double click): nothing changes in the case. A verdict
 * not yet applied at the edge is tried again at once with its original timestamp (the edge applies
 * a label once), and a failed one gets a fresh run of retries: how an analyst retries by hand.
 * A case resolved before deliveries were recorded gets its delivery from its feedback row.
 */
async function replay(ctx: ResolveContext, caseId: string): Promise<ResolveCaseResponse> {
  const c = await mustGetCase(ctx, caseId);
  const [fb] = await ctx.sql`
    SELECT event_id, label, ts FROM feedback
    WHERE case_id = ${caseId} AND source = 'analyst'
    ORDER BY ts DESC LIMIT 1`;
  const [vd] = await ctx.sql`SELECT event_id FROM verdict_deliveries WHERE case_id = ${caseId}`;
  const eventId = vd
    ? String(vd.event_id)
    : fb
      ? toFeedbackRecord({ ...fb, source: 'analyst', actor: null }).event_id
      : null;
  const d = ctx.deliverer;
  if (d === null) return { ...c, feedback_event_id: eventId, replayed: true, ...edgeFields(c) };
  const now = ctx.now();
  let due =
    c.verdict_delivery === null ? null : await requeue(ctx.sql, caseId, now, d.leaseUntil());
  if (c.verdict_delivery === null) {
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
    due = await insertPending(
      ctx.sql,
      {
        case_id: caseId,
        transaction_id: c.transaction_id,
        label: r.label,
        timestamp: r.timestamp,
        event_id: r.event_id,
      },
      now,
      d.leaseUntil(),
    );
  }
  if (due) await d.tryNow(due, FIRST_TRY);
  const after = await mustGetCase(ctx, caseId);
  return { ...after, feedback_event_id: eventId, replayed: true, ...edgeFields(after) };
}
