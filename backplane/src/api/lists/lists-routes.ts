/**
 * Lists through the analysts' API (ARCHITECTURE.md, "Decision rules and lists"): the lists with
 * their sizes, a new list, a list's items in keyset pages, items added one or up to 1,000 at a
 * time (all or nothing), an item removed. An item's value is validated exactly as the scoring API
 * validates the transaction field the list's kind names (core's transactionSchema), so every value
 * on a list is one a transaction can carry. Each change writes its audit rows in its transaction.
 */
import {
  canonicalIp,
  LIST_NAME,
  listSchema,
  MAX_LIST_ITEMS_BATCH,
  toFieldIssues,
  transactionSchema,
  type FieldIssue,
  type ListKind,
} from '@vigil/core';
import { Hono } from 'hono';
import type { Sql } from 'postgres';
import * as z from 'zod/mini';
import type { ApiEnv } from '../api-env.js';
import { writeAudit } from '../audit/audit-log.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { ProblemError, validationProblem } from '../../http/problem.js';
import { DEFAULT_PAGE, MAX_PAGE } from '../transactions-routes.js';
import {
  integerParam,
  noQuery,
  parseBody,
  parseQuery,
  parseWith,
  readJsonBody,
  textField,
  timeParam,
  pathParams,
} from '../validate.js';
import { lockListItems, pageItems, removeItem, upsertItems, type NewItem } from './list-items.js';

/** Longest reason an item may carry. */
export const MAX_REASON = 500;

/**
 * The body limit of `POST /api/lists/{name}/items` (the API's other routes keep MAX_BODY_BYTES,
 * 64 KiB): a batch of MAX_LIST_ITEMS_BATCH items at the field maxima, as JSON.stringify writes
 * them. One item: `{"value":"…","reason":"…","expires_at":"…"},` is 41 bytes of syntax, a value of
 * ≤ 128 bytes (a token or an address), a reason of ≤ 500 UTF-16 units at ≤ 6 bytes each (a control
 * character escaped as \u0001; other characters take ≤ 3 bytes in UTF-8) and an expiry of ≤ 35
 * bytes (`2026-03-01T10:00:00.123456789+02:00`): 3,204 bytes; 1,000 of them, 3,204,011 bytes with
 * `{"items":[]}`. 4 MiB leaves room for whitespace.
 */
export const MAX_ITEMS_BODY_BYTES = 4 * 1_048_576;

/** The path of that route, under whatever the API is mounted at. */
export const LIST_ITEMS_PATH = /\/lists\/[^/]+\/items$/;

const nameParam = z.object({
  name: z.string().check(z.regex(LIST_NAME, 'name must be 1–64 characters of a–z, 0–9 and _')),
});

/** One item as sent; its value is checked against the list's kind afterwards. */
const itemBody = z.strictObject(
  {
    value: z.string('value must be a string'),
    reason: z.optional(textField('reason', MAX_REASON)),
    expires_at: z.optional(z.nullable(timeParam('expires_at'))),
  },
  'an item must be a JSON object',
);
const batchBody = z.strictObject(
  {
    items: z
      .array(itemBody, 'items must be an array')
      .check(
        z.minLength(1, 'items must not be empty'),
        z.maxLength(MAX_LIST_ITEMS_BATCH, `items must hold at most ${MAX_LIST_ITEMS_BATCH}`),
      ),
  },
  'the body must be a JSON object',
);

/**
 * A value in a URL (a filter, the item to remove): what any kind's values are made of — tokens,
 * IPv4/IPv6 addresses, country codes — so a NUL or a space is a 400 naming it, not a query.
 */
const urlValue = z
  .string()
  .check(
    z.regex(
      /^[A-Za-z0-9._:-]{1,128}$/,
      'value must be 1–128 characters of A–Z, a–z, 0–9 and . _ : -',
    ),
  );

const itemsQuery = z.strictObject({
  limit: z.optional(integerParam('limit', 1, MAX_PAGE)),
  cursor: z.optional(z.string()),
  value: z.optional(urlValue),
});
const itemParams = z.object({ name: nameParam.shape.name, value: urlValue });

/**
 * The values of `items` as values of a `kind` list: the scoring API's own check of that field, and
 * its output (an ip canonical, as the API hands a transaction's on), with the issues.
 */
function checkValues(
  kind: ListKind,
  items: readonly { value: string }[],
  prefix: (i: number) => PropertyKey[],
): { values: string[]; issues: FieldIssue[] } {
  const field = transactionSchema.shape[kind];
  const issues: FieldIssue[] = [];
  const seen = new Map<string, number>();
  const values = items.map((item, i) => {
    const r = z.safeParse(field, item.value);
    if (!r.success) issues.push(...toFieldIssues(r.error.issues, [...prefix(i), 'value']));
    const value = r.success && r.data !== undefined ? r.data : item.value;
    const first = seen.get(value);
    // Two changes of one row in one statement are refused by Postgres: say which, up front.
    if (first !== undefined) {
      const path = `/${[...prefix(i), 'value'].join('/')}`;
      issues.push({ path, message: `repeats the value of item ${first}` });
    } else seen.set(value, i);
    return value;
  });
  return { values, issues };
}

/** A value from a URL as the list stores it: an ip in its canonical text. */
const storedValue = (kind: ListKind, value: string): string =>
  kind === 'ip' ? canonicalIp(value) : value;

/** GET/POST /lists, GET/POST /lists/:name/items, DELETE /lists/:name/items/:value. */
export function listsRoutes(deps: { sql: Sql; now: () => Date }): Hono<ApiEnv> {
  const { sql, now } = deps;
  const r = new Hono<ApiEnv>();

  const kindOf = async (name: string): Promise<ListKind> => {
    const [row] = await sql<{ kind: ListKind }[]>`SELECT kind FROM lists WHERE name = ${name}`;
    if (!row) throw new ProblemError('not-found', `no list ${name}`);
    return row.kind;
  };

  r.get('/lists', noQuery, async (c) => {
    const rows = await sql`
      SELECT l.name, l.kind, l.description, l.created_at, l.created_by,
        (SELECT count(*) FROM list_items i
          WHERE i.list = l.name AND i.removed_at IS NULL
            AND (i.expires_at IS NULL OR i.expires_at > ${now()}))::int AS size
      FROM lists l ORDER BY l.name`;
    return c.json({
      lists: rows.map((l) => ({
        name: String(l.name),
        kind: String(l.kind),
        description: String(l.description),
        created_at: (l.created_at as Date).toISOString(),
        created_by: String(l.created_by),
        size: Number(l.size),
      })),
    });
  });

  r.post('/lists', noQuery, async (c) => {
    const list = await parseBody(c, listSchema);
    const actor = c.get('principal').subject;
    const at = now();
    const created = await sql.begin(async (tx) => {
      const [row] = await tx`
        INSERT INTO lists (name, kind, description, created_at, created_by)
        VALUES (${list.name}, ${list.kind}, ${list.description}, ${at}, ${actor})
        ON CONFLICT (name) DO NOTHING
        RETURNING name`;
      if (!row) throw new ProblemError('already-exists', `a list ${list.name} exists`);
      await writeAudit(
        tx,
        [{ actor, action: 'list.create', target: `list:${list.name}`, before: null, after: list }],
        at,
      );
      return { ...list, created_at: at.toISOString(), created_by: actor, size: 0 };
    });
    return c.json(created, 201);
  });

  r.get('/lists/:name/items', async (c) => {
    const { name } = parseWith(nameParam, c.req.param());
    const q = parseQuery(c, itemsQuery);
    const kind = await kindOf(name);
    const limit = q.limit ?? DEFAULT_PAGE;
    const after = q.cursor === undefined ? undefined : decodeCursor('item', q.cursor, 's')[0];
    const rows = await pageItems(sql, name, {
      at: now(),
      limit: limit + 1,
      ...(after === undefined ? {} : { after: String(after) }),
      ...(q.value === undefined ? {} : { value: storedValue(kind, q.value) }),
    });
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return c.json({
      items,
      next_cursor: rows.length > limit && last ? encodeCursor('item', [last.value]) : null,
    });
  });

  r.post('/lists/:name/items', noQuery, async (c) => {
    const { name } = parseWith(nameParam, c.req.param());
    const body = await readJsonBody(c, MAX_ITEMS_BODY_BYTES);
    const batch = typeof body === 'object' && body !== null && 'items' in body;
    const items = batch ? parseWith(batchBody, body).items : [parseWith(itemBody, body)];
    const kind = await kindOf(name);
    const at = now();
    const { values, issues } = checkValues(kind, items, (i) => (batch ? ['items', i] : []));
    items.forEach((item, i) => {
      if (item.expires_at && item.expires_at.getTime() <= at.getTime()) {
        const path = batch ? `/items/${i}/expires_at` : '/expires_at';
        issues.push({ path, message: 'expires_at must be in the future' });
      }
    });
    if (issues.length > 0) throw validationProblem(issues);
    const actor = c.get('principal').subject;
    const news: NewItem[] = items.map((i, n) => ({
      value: values[n]!,
      reason: i.reason ?? '',
      expires_at: i.expires_at ?? null,
    }));
    const changed = await sql.begin(async (tx) => {
      await lockListItems(tx);
      const out = await upsertItems(tx, name, news, actor, at);
      await writeAudit(
        tx,
        out.map((o) => ({
          actor,
          action: 'list.item.add',
          target: `list:${name}:${o.after.value}`,
          before: o.before,
          after: o.after,
        })),
        at,
      );
      return out;
    });
    const added = changed.map((o) => o.after);
    return c.json(batch ? { items: added } : added[0], 201);
  });

  r.delete('/lists/:name/items/:value', noQuery, async (c) => {
    const params = parseWith(itemParams, pathParams(c));
    const name = params.name;
    const value = storedValue(await kindOf(name), params.value);
    const actor = c.get('principal').subject;
    const at = now();
    const removed = await sql.begin(async (tx) => {
      await lockListItems(tx);
      const before = await removeItem(tx, name, value, actor, at);
      if (before === null) throw new ProblemError('not-found', `${value} is not on list ${name}`);
      await writeAudit(
        tx,
        [
          {
            actor,
            action: 'list.item.remove',
            target: `list:${name}:${value}`,
            before,
            after: null,
          },
        ],
        at,
      );
      return before;
    });
    return c.json(removed);
  });

  return r;
}
