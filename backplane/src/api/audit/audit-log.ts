/**
 * The audit log: every change by a person or a program (rules, lists, cases), written by the
 * change's own database transaction, so a change that rolls back leaves no row and a change that
 * commits always has one.
 */
import type { Sql, TransactionSql } from 'postgres';

export interface AuditEntry {
  /** The analyst's session subject, 'api' for a bearer key, `system:<what>` for the backplane. */
  readonly actor: string;
  /** What was done: `rule.create`, `list.item.add`, `case.resolve`, … (docs/api.md lists them). */
  readonly action: string;
  /** What it was done to: `rule:<id>`, `ruleset:<version>`, `list:<name>`, `case:<id>`, … */
  readonly target: string;
  /** The target before the change (null: it did not exist) and after it (null: gone). */
  readonly before: unknown;
  readonly after: unknown;
}

/**
 * Append `entries` inside `tx`, all at `at`. One statement whatever their number: a batch of 1,000
 * list items writes 1,000 rows in one round trip (jsonb_to_recordset unpacks them).
 */
export async function writeAudit(
  tx: TransactionSql | Sql,
  entries: readonly AuditEntry[],
  at: Date,
): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((e) => ({
    actor: e.actor,
    action: e.action,
    target: e.target,
    before: e.before ?? null,
    after: e.after ?? null,
  }));
  await tx`
    INSERT INTO audit_log (at, actor, action, target, before, after)
    SELECT ${at}, r.actor, r.action, r.target, r.before, r.after
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb)
      AS r(actor text, action text, target text, before jsonb, after jsonb)`;
}
