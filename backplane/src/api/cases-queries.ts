/**
 * The case queue in SQL. Cases are analysts' workflow state, so the API writes them directly (the
 * event tables are the consumer's alone). Every change is one `UPDATE … WHERE version = $v`
 * (when the caller sent a version) that bumps `version`; when it matches no row, a second look
 * says why: unknown case (404), stale version or resolved case (409).
 */
import type { Case, CaseSort, CaseStatus, Decision, Page } from '@vigil/core';
import type { Sql, TransactionSql } from 'postgres';
import { writeAudit } from './audit/audit-log.js';
import { encodeCursor } from './cursor.js';
import { ProblemError } from '../http/problem.js';
import { caseColumns, toCase } from './rows.js';

export interface CaseFilter {
  readonly status?: readonly CaseStatus[];
  readonly assignee?: string;
  readonly decision?: readonly Decision[];
  readonly sort: CaseSort;
  readonly limit: number;
  /**
   * The previous page's last (rank, sort key, case_id): the key is a number for the float orders,
   * opened_at as Postgres text for the time orders (text as in TransactionFilter).
   */
  readonly after?: readonly [number, number | string, string];
}

/** Each order's column of `cases` (migration 009 indexes each over the open cases) and direction. */
export const CASE_ORDERS: Readonly<
  Record<CaseSort, { readonly column: string; readonly desc: boolean; readonly time: boolean }>
> = {
  '-risk': { column: 'risk', desc: true, time: false },
  '-score': { column: 'score', desc: true, time: false },
  '-amount': { column: 'amount', desc: true, time: false },
  opened_at: { column: 'opened_at', desc: false, time: true },
  '-opened_at': { column: 'opened_at', desc: true, time: true },
};

/** 0 for open and assigned cases, 1 for resolved: the queue shows work to do first. */
const RANK = `(CASE WHEN c.status = 'resolved' THEN 1 ELSE 0 END)`;

/**
 * The filters of a queue view, as SQL. Every case is a review or a decline, so a filter naming
 * both is none. The status and decision tests are spelled with literals beside the bound lists:
 * the planner can then prove the open cases' partial indexes apply, which a bound IN list cannot.
 */
function caseWhere(sql: Sql, f: Pick<CaseFilter, 'status' | 'assignee' | 'decision'>) {
  const none = sql``;
  const open = f.status !== undefined && !f.status.includes('resolved');
  const decisions = f.decision?.filter((d) => d !== 'approve');
  return sql`
    ${f.status ? sql`AND c.status IN ${sql(f.status)}` : none}
    ${open ? sql`AND c.status <> 'resolved'` : none}
    ${f.assignee !== undefined ? sql`AND c.assignee = ${f.assignee}` : none}
    ${
      decisions === undefined || decisions.length === 2
        ? none
        : decisions.length === 0
          ? sql`AND false` // approve only: approvals open no case
          : sql`AND c.decision = ${decisions[0]!}`
    }`;
}

/**
 * One page of the queue: open and assigned cases first, then resolved; each part in the view's
 * order, ties by case_id in the same direction (so one index serves it forwards or backwards).
 */
export async function listCases(sql: Sql, f: CaseFilter): Promise<Page<Case>> {
  const none = sql``;
  const o = CASE_ORDERS[f.sort];
  // One status class only (the open queue, or the resolved): the rank is constant, so it leaves
  // the ORDER BY and the keyset, and the order is the index's.
  const ranked =
    f.status === undefined ||
    (f.status.includes('resolved') && f.status.some((s) => s !== 'resolved'));
  const rank = sql.unsafe(RANK);
  const col = sql`c.${sql(o.column)}`;
  const dir = sql.unsafe(o.desc ? 'DESC' : 'ASC');
  const cmp = sql.unsafe(o.desc ? '<' : '>');
  const after = f.after;
  const key = after
    ? o.time
      ? sql`${String(after[1])}::text::timestamptz`
      : sql`${Number(after[1])}::float8`
    : none;
  const past = after ? sql`(${col}, c.case_id) ${cmp} (${key}, ${after[2]})` : none;
  const rows = await sql`
    SELECT ${caseColumns(sql)}, ${rank} AS rank,
      ${o.time ? sql`to_json(c.opened_at) #>> '{}'` : col} AS sort_key
    FROM cases c JOIN transactions t ON t.transaction_id = c.transaction_id
    WHERE true ${caseWhere(sql, f)}
      ${
        !after
          ? none
          : ranked
            ? sql`AND (${rank} > ${after[0]} OR (${rank} = ${after[0]} AND ${past}))`
            : sql`AND ${past}`
      }
    ORDER BY ${ranked ? sql`${rank},` : none} ${col} ${dir}, c.case_id ${dir}
    LIMIT ${f.limit + 1}`;
  const more = rows.length > f.limit;
  const page = more ? rows.slice(0, f.limit) : rows;
  const last = page[page.length - 1];
  return {
    items: page.map(toCase),
    next_cursor:
      more && last
        ? encodeCursor('case', [
            f.sort,
            Number(last.rank),
            o.time ? String(last.sort_key) : Number(last.sort_key),
            String(last.case_id),
          ])
        : null,
  };
}

/**
 * Assign `actor` the first unassigned open case of the view, atomically: the row is taken with
 * FOR UPDATE SKIP LOCKED, so two analysts asking at once get two cases (the second skips the row
 * the first holds) and nobody waits. null when no unassigned open case is left. Audited as
 * `case.assign`, as assigning by hand is.
 */
export async function takeNextCase(
  sql: Sql,
  f: { readonly decision?: readonly Decision[]; readonly sort: CaseSort },
  now: Date,
  actor: string,
): Promise<Case | null> {
  const o = CASE_ORDERS[f.sort];
  const col = sql`c.${sql(o.column)}`;
  const dir = sql.unsafe(o.desc ? 'DESC' : 'ASC');
  return sql.begin(async (tx) => {
    const [u] = await tx<{ case_id: string; version: number }[]>`
      WITH pick AS (
        SELECT c.case_id FROM cases c
        WHERE c.status = 'open' ${caseWhere(tx as unknown as Sql, { status: ['open'], decision: f.decision })}
        ORDER BY ${col} ${dir}, c.case_id ${dir}
        LIMIT 1
        FOR UPDATE SKIP LOCKED
      )
      UPDATE cases c SET assignee = ${actor}, status = 'assigned', version = c.version + 1,
        updated_at = ${now}
      FROM pick WHERE c.case_id = pick.case_id
      RETURNING c.case_id, c.version`;
    if (!u) return null;
    await writeAudit(
      tx,
      [
        {
          actor,
          action: 'case.assign',
          target: `case:${u.case_id}`,
          before: { status: 'open', assignee: null, version: u.version - 1 },
          after: { status: 'assigned', assignee: actor, version: u.version },
        },
      ],
      now,
    );
    return mustGet(tx, u.case_id);
  });
}

/** One case with its comments; null if there is none. */
export async function getCase(sql: Sql | TransactionSql, caseId: string): Promise<Case | null> {
  const [row] = await sql`
    SELECT ${caseColumns(sql as Sql)}
    FROM cases c JOIN transactions t ON t.transaction_id = c.transaction_id
    WHERE c.case_id = ${caseId}`;
  return row ? toCase(row) : null;
}

/** Why an update matched no row, as the problem to answer with. */
export async function whyNotUpdated(
  tx: TransactionSql,
  caseId: string,
  version: number | undefined,
): Promise<ProblemError> {
  const [row] = await tx`SELECT status, resolution, version FROM cases WHERE case_id = ${caseId}`;
  if (!row) return new ProblemError('not-found', `no case ${caseId}`);
  if (version !== undefined && row.version !== version) {
    return new ProblemError(
      'stale-version',
      `case ${caseId} is at version ${String(row.version)}, not ${version}: reload it and retry`,
    );
  }
  if (row.status === 'resolved') {
    return new ProblemError(
      'case-resolved',
      `case ${caseId} is already resolved as ${String(row.resolution)}`,
    );
  }
  // Only a case whose decision row is missing gets here (resolve joins it for the customer).
  return new ProblemError('not-found', `case ${caseId} has no decision in Postgres`);
}

/** A case's workflow state, as its audit rows record it before and after a change. */
export interface CaseState {
  readonly status: string;
  readonly assignee: string | null;
  readonly version: number;
}

/** Assign (or, with null, unassign) an unresolved case; audited as `case.assign` by `actor`. */
export async function assignCase(
  sql: Sql,
  caseId: string,
  assignee: string | null,
  version: number | undefined,
  now: Date,
  actor: string,
): Promise<Case> {
  return sql.begin(async (tx) => {
    // The row as it was comes from the same statement (its FOR UPDATE subquery), for the audit.
    const [u] = await tx<
      (CaseState & { old_status: string; old_assignee: string | null; old_version: number })[]
    >`
      UPDATE cases c
      SET assignee = ${assignee},
          status = ${assignee === null ? 'open' : 'assigned'},
          version = c.version + 1,
          updated_at = ${now}
      FROM (SELECT case_id, status, assignee, version FROM cases
             WHERE case_id = ${caseId} FOR UPDATE) old
      WHERE c.case_id = old.case_id AND c.status <> 'resolved'
        AND (${version ?? null}::int IS NULL OR c.version = ${version ?? null}::int)
      RETURNING old.status AS old_status, old.assignee AS old_assignee, old.version AS old_version,
        c.status, c.assignee, c.version`;
    if (!u) throw await whyNotUpdated(tx, caseId, version);
    await writeAudit(
      tx,
      [
        {
          actor,
          action: 'case.assign',
          target: `case:${caseId}`,
          before: { status: u.old_status, assignee: u.old_assignee, version: u.old_version },
          after: { status: u.status, assignee: u.assignee, version: u.version },
        },
      ],
      now,
    );
    return mustGet(tx, caseId);
  });
}

/** Add a comment (resolved cases too: notes after the fact are part of the record). */
export async function commentCase(
  sql: Sql,
  caseId: string,
  author: string,
  body: string,
  version: number | undefined,
  now: Date,
): Promise<Case> {
  return sql.begin(async (tx) => {
    const [u] = await tx`
      UPDATE cases SET version = version + 1, updated_at = ${now}
      WHERE case_id = ${caseId}
        AND (${version ?? null}::int IS NULL OR version = ${version ?? null}::int)
      RETURNING case_id`;
    if (!u) throw await whyNotUpdated(tx, caseId, version);
    await tx`INSERT INTO case_comments (case_id, author, body, created_at)
             VALUES (${caseId}, ${author}, ${body}, ${now})`;
    await writeAudit(
      tx,
      [
        {
          actor: author,
          action: 'case.comment',
          target: `case:${caseId}`,
          before: null,
          after: { body },
        },
      ],
      now,
    );
    return mustGet(tx, caseId);
  });
}

/** The case just updated in `tx` (it exists: the update found it). */
export async function mustGet(tx: TransactionSql, caseId: string): Promise<Case> {
  const c = await getCase(tx, caseId);
  if (c === null) throw new Error(`case ${caseId} vanished inside its own transaction`);
  return c;
}
