/**
 * Rulesets in Postgres: every version immutable, the highest in force. A change reads the ruleset
 * in force, builds the next one and inserts it with its audit row, in one transaction under an
 * advisory lock, so two analysts' changes never build on the same version (the second waits and
 * builds on the first's) and a change that fails leaves neither a version nor an audit row.
 */
import { LIST_KINDS, ruleSchema, type ListRef, type Rule, type Ruleset } from '@vigil/core';
import type { Sql, TransactionSql } from 'postgres';
import * as z from 'zod/mini';
import { writeAudit, type AuditEntry } from '../audit/audit-log.js';
import { RowError } from '../rows.js';

const rulesetRow = z.object({
  version: z.number(),
  rules: z.array(ruleSchema),
});

const listRefRow = z.object({ name: z.string(), kind: z.enum(LIST_KINDS) });

function parse<S extends z.ZodMiniType>(what: string, schema: S, row: unknown): z.infer<S> {
  const r = z.safeParse(schema, row);
  if (!r.success) throw new RowError(what, r.error);
  return r.data;
}

/** The ruleset in force (the migration seeds version 1, so there always is one). */
export async function currentRuleset(sql: Sql | TransactionSql): Promise<Ruleset> {
  const [row] = await sql`SELECT version, rules FROM rulesets ORDER BY version DESC LIMIT 1`;
  return parse('ruleset', rulesetRow, row);
}

/** Every list, by name, as the expression check and the edges need them. */
export async function listRefs(sql: Sql | TransactionSql): Promise<ListRef[]> {
  const rows = await sql`SELECT name, kind FROM lists ORDER BY name`;
  return rows.map((r) => parse('list', listRefRow, r));
}

/**
 * What a change makes of the ruleset in force: the next rules, in words, and its audit row; or
 * `unchanged` (a change equal to the ruleset in force writes nothing).
 */
export type RulesetChange<T> = NewRuleset<T> | { readonly unchanged: true; readonly result: T };

interface NewRuleset<T> {
  readonly unchanged?: undefined;
  readonly rules: readonly Rule[];
  readonly summary: string;
  readonly audit: Omit<AuditEntry, 'actor'>;
  /** What the route answers (besides the new version). */
  readonly result: T;
}

/**
 * Write the next version: `change` sees the ruleset in force and the lists (it throws a
 * ProblemError to refuse), then the version and its audit row are written together.
 */
export async function changeRuleset<T>(
  sql: Sql,
  actor: string,
  at: Date,
  change: (current: Ruleset, lists: readonly ListRef[]) => RulesetChange<T>,
): Promise<{ version: number; result: T }> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext('vigil.rulesets'))`;
    const current = await currentRuleset(tx);
    const c = change(current, await listRefs(tx));
    if (c.unchanged) return { version: current.version, result: c.result };
    const version = current.version + 1;
    await tx`
      INSERT INTO rulesets (version, rules, created_at, created_by, summary)
      VALUES (${version}, ${JSON.stringify(c.rules)}::text::jsonb, ${at}, ${actor}, ${c.summary})`;
    await writeAudit(tx, [{ ...c.audit, actor }], at);
    return { version, result: c.result };
  });
}

const versionRow = z.object({
  version: z.number(),
  rules: z.array(ruleSchema),
  created_at: z.date(),
  created_by: z.string(),
  summary: z.string(),
});

/** One ruleset version as GET /api/rules/versions lists it. */
export interface RulesetVersion {
  readonly version: number;
  readonly created_at: string;
  readonly created_by: string;
  readonly summary: string;
  readonly rules: readonly Rule[];
}

/** Versions newest first, `limit` of them, below `before` when given. */
export async function listVersions(
  sql: Sql,
  limit: number,
  before: number | undefined,
): Promise<RulesetVersion[]> {
  const rows = await sql`
    SELECT version, rules, created_at, created_by, summary FROM rulesets
    WHERE ${before ?? null}::int IS NULL OR version < ${before ?? null}::int
    ORDER BY version DESC LIMIT ${limit}`;
  return rows.map((row) => {
    const r = parse('ruleset', versionRow, row);
    return { ...r, created_at: r.created_at.toISOString() };
  });
}

/** One version's rules; null if there is no such version. */
export async function rulesOfVersion(
  sql: Sql | TransactionSql,
  version: number,
): Promise<Rule[] | null> {
  const [row] = await sql`SELECT version, rules FROM rulesets WHERE version = ${version}`;
  return row ? parse('ruleset', rulesetRow, row).rules : null;
}

/**
 * Each rule's matches among the decisions scored since `dayAgo` and `hourAgo` (active and shadow
 * alike: a shadow rule's hits are what an analyst watches before making it active). Reads the
 * partial index transactions_rule_hits: only decisions some rule matched are in it.
 */
export async function ruleHits(
  sql: Sql,
  hourAgo: Date,
  dayAgo: Date,
): Promise<Map<string, { hour: number; day: number }>> {
  const rows = await sql<{ id: string; hour: number; day: number }[]>`
    SELECT id, count(*) FILTER (WHERE scored_at >= ${hourAgo})::int AS hour, count(*)::int AS day
    FROM (
      SELECT t.scored_at, r.value ->> 'id' AS id
      FROM transactions t, jsonb_array_elements(t.rules) r
      WHERE t.scored_at >= ${dayAgo} AND (t.rules IS NOT NULL OR t.shadow_rules IS NOT NULL)
      UNION ALL
      SELECT t.scored_at, s.id
      FROM transactions t, unnest(t.shadow_rules) AS s(id)
      WHERE t.scored_at >= ${dayAgo} AND (t.rules IS NOT NULL OR t.shadow_rules IS NOT NULL)
    ) m
    GROUP BY id`;
  return new Map(rows.map((r) => [r.id, { hour: r.hour, day: r.day }]));
}
