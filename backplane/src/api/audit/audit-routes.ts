/**
 * GET /api/audit: the audit log newest first, in keyset pages, optionally narrowed to one actor,
 * one action or one target (a rule's, a list item's or a case's history).
 */
import { Hono } from 'hono';
import type { Sql } from 'postgres';
import * as z from 'zod/mini';
import type { ApiEnv } from '../api-env.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { RowError } from '../rows.js';
import { DEFAULT_PAGE, MAX_PAGE } from '../transactions-routes.js';
import { integerParam, parseQuery } from '../validate.js';
import { validationProblem } from '../../http/problem.js';

/** One audit row as the API shows it. */
export interface AuditRecord {
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly before: unknown;
  readonly after: unknown;
}

const filter = (name: string) =>
  z
    .string()
    .check(z.regex(/^[\x20-\x7e]{1,300}$/, `${name} must be 1–300 printable ASCII characters`));

const auditQuery = z.strictObject({
  actor: z.optional(filter('actor')),
  action: z.optional(filter('action')),
  target: z.optional(filter('target')),
  limit: z.optional(integerParam('limit', 1, MAX_PAGE)),
  cursor: z.optional(z.string()),
});

const auditRow = z.object({
  id: z.string(),
  at: z.date(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});

export function auditRoutes(sql: Sql): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  r.get('/audit', async (c) => {
    const q = parseQuery(c, auditQuery);
    let before: string | null = null;
    if (q.cursor !== undefined) {
      before = String(decodeCursor('audit', q.cursor, 's')[0]);
      if (!/^\d{1,18}$/.test(before)) {
        throw validationProblem([{ path: '/cursor', message: 'not a cursor of this list' }]);
      }
    }
    const limit = q.limit ?? DEFAULT_PAGE;
    const rows = await sql`
      SELECT id::text AS id, at, actor, action, target, before, after FROM audit_log
      WHERE (${before}::bigint IS NULL OR id < ${before}::bigint)
        AND (${q.actor ?? null}::text IS NULL OR actor = ${q.actor ?? null}::text)
        AND (${q.action ?? null}::text IS NULL OR action = ${q.action ?? null}::text)
        AND (${q.target ?? null}::text IS NULL OR target = ${q.target ?? null}::text)
      ORDER BY audit_log.id DESC LIMIT ${limit + 1}`;
    const items: AuditRecord[] = rows.slice(0, limit).map((row) => {
      const p = z.safeParse(auditRow, row);
      if (!p.success) throw new RowError('audit', p.error);
      return { ...p.data, at: p.data.at.toISOString() };
    });
    const last = items.at(-1);
    return c.json({
      items,
      next_cursor: rows.length > limit && last ? encodeCursor('audit', [last.id]) : null,
    });
  });
  return r;
}
