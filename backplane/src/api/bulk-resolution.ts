/**
 * POST /cases/resolve: many cases resolved as one verdict, all or nothing. The whole batch is one
 * database transaction; each case goes through the single resolve's own steps (case-resolution.ts:
 * the case, its comment, its audit row, its verdict's delivery) and the batch's feedback events
 * reach Kafka in one send inside it, so a refusal anywhere leaves every case as it was.
 */
import type { Case, CaseResolution, FieldIssue } from '@vigil/core';
import type { Sql } from 'postgres';
import { emitInTx, FIRST_TRY, resolveInTx, type ResolveContext } from './case-resolution.js';
import { ProblemError } from '../http/problem.js';
import { caseColumns, toCase } from './rows.js';
import type { DueVerdict } from './verdict-delivery/delivery-store.js';

export interface BulkResolveInput {
  readonly case_ids: readonly string[];
  readonly resolution: CaseResolution;
  readonly comment?: string;
}

/** First tries at the edge at once: enough to overlap round trips, few enough to spare the edge. */
const FIRST_TRY_CONCURRENCY = 16;

/** Resolve every case of `input` as `actor`; the cases after the change, in request order. */
export async function resolveCases(
  ctx: ResolveContext,
  input: BulkResolveInput,
  actor: string,
): Promise<Case[]> {
  const now = ctx.now();
  const ids = input.case_ids;
  const due = await ctx.sql.begin(async (tx) => {
    // Every case locked first, in one order (case_id): two batches over the same cases queue one
    // behind the other instead of deadlocking, and each id is checked before anything changes.
    const rows = await tx<{ case_id: string; status: string; resolution: string | null }[]>`
      SELECT case_id, status, resolution FROM cases
      WHERE case_id IN ${tx(ids)} ORDER BY case_id FOR UPDATE`;
    const found = new Map(rows.map((r) => [r.case_id, r]));
    const missing: FieldIssue[] = [];
    const resolved: FieldIssue[] = [];
    ids.forEach((id, i) => {
      const r = found.get(id);
      if (!r) missing.push({ path: `/case_ids/${i}`, message: `no case ${id}` });
      else if (r.status === 'resolved') {
        resolved.push({
          path: `/case_ids/${i}`,
          message: `case ${id} is already resolved as ${String(r.resolution)}`,
        });
      }
    });
    if (missing.length > 0) {
      throw new ProblemError(
        'not-found',
        `${missing.length} of the ${ids.length} cases do not exist: none was resolved`,
        { errors: missing },
      );
    }
    if (resolved.length > 0) {
      throw new ProblemError(
        'case-resolved',
        `${resolved.length} of the ${ids.length} cases are already resolved: none was resolved`,
        { errors: resolved },
      );
    }
    const events = [];
    const deliveries: DueVerdict[] = [];
    for (const id of ids) {
      const o = await resolveInTx(ctx, tx, id, input, actor, now);
      // Locked and unresolved above: a replay here would be a bug, not an outcome.
      if (o.kind !== 'resolved') throw new Error(`case ${id} changed under its lock`);
      events.push(o.event);
      if (o.delivery) deliveries.push(o.delivery);
    }
    await emitInTx(ctx, events, ids);
    return deliveries;
  });
  await firstTries(ctx, due);
  return casesInOrder(ctx.sql, ids);
}

/** Each verdict's first try at the edge, as the single resolve makes it (never throws). */
async function firstTries(ctx: ResolveContext, due: readonly DueVerdict[]): Promise<void> {
  const d = ctx.deliverer;
  if (d === null) return;
  let next = 0;
  const worker = async () => {
    while (next < due.length) await d.tryNow(due[next++]!, FIRST_TRY);
  };
  await Promise.all(Array.from({ length: Math.min(FIRST_TRY_CONCURRENCY, due.length) }, worker));
}

async function casesInOrder(sql: Sql, ids: readonly string[]): Promise<Case[]> {
  const rows = await sql`
    SELECT ${caseColumns(sql)} FROM cases c JOIN transactions t ON t.transaction_id = c.transaction_id
    WHERE c.case_id IN ${sql(ids)}`;
  const byId = new Map(rows.map((r) => [String(r.case_id), toCase(r)]));
  return ids.map((id) => {
    const c = byId.get(id);
    if (!c) throw new Error(`case ${id} vanished after its resolution`);
    return c;
  });
}
