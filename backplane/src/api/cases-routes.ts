/**
 * The case queue: list, one case, assign, comment, resolve. Every change is published to the
 * LiveHub as a LiveCase so every dashboard's queue row updates.
 */
import {
  CASE_SORTS,
  DECISIONS,
  DEFAULT_CASE_SORT,
  MAX_BULK_RESOLVE,
  type Case,
  type CaseSort,
  type BulkResolveResponse,
  type LiveCase,
} from '@vigil/core';
import { Hono } from 'hono';
import * as z from 'zod/mini';
import type { ApiEnv } from './api-env.js';
import type { ApiDeps } from './deps.js';
import { resolveCase, type ResolveContext } from './case-resolution.js';
import { resolveCases } from './bulk-resolution.js';
import {
  assignCase,
  CASE_ORDERS,
  commentCase,
  getCase,
  listCases,
  takeNextCase,
} from './cases-queries.js';
import { decodeCursor } from './cursor.js';
import { ProblemError, validationProblem } from '../http/problem.js';
import { DEFAULT_PAGE, MAX_PAGE } from './transactions-routes.js';
import {
  integerParam,
  listParam,
  nameField,
  noQuery,
  parseQuery,
  parseBody,
  parseWith,
  readJsonBody,
  textField,
} from './validate.js';

const CASE_ID = /^[A-Za-z0-9._:-]{1,200}$/;
const CASE_ID_MESSAGE = 'case_id is not a case id (case_<transaction_id>)';
export const MAX_COMMENT = 4_000;
/** A bulk resolve's body: 500 of the longest case ids (200 characters) and a comment fit. */
export const MAX_BULK_BODY_BYTES = 262_144;
/** POST /cases/resolve: the one cases route that reads more than the API's usual body limit. */
export const BULK_RESOLVE_PATH = /\/cases\/resolve$/;

/** The queue's decisions: approvals open no case, so only review and decline are accepted. */
const CASE_DECISIONS = DECISIONS.filter((d) => d !== 'approve');
const sortField = (name: string) =>
  z.enum(CASE_SORTS, `${name} must be one of ${CASE_SORTS.join(', ')}`);

const listQuery = z.strictObject({
  status: z.optional(listParam('status', ['open', 'assigned', 'resolved'] as const)),
  assignee: z.optional(nameField('assignee')),
  decision: z.optional(listParam('decision', DECISIONS)),
  sort: z.optional(sortField('sort')),
  limit: z.optional(integerParam('limit', 1, MAX_PAGE)),
  cursor: z.optional(z.string()),
});

const nextBody = z.strictObject(
  {
    decision: z.optional(
      z
        .array(
          z.enum(CASE_DECISIONS, `decision must be a list of ${CASE_DECISIONS.join(', ')}`),
          'decision must be an array',
        )
        .check(z.minLength(1, 'decision must name at least one decision')),
    ),
    sort: z.optional(sortField('sort')),
  },
  'the body must be a JSON object',
);

const version = z.optional(
  z.int('version must be an integer').check(z.gte(1, 'version must be ≥ 1'), z.lte(2 ** 31 - 1)),
);

const assignBody = z.strictObject(
  { assignee: z.nullable(nameField('assignee')), version },
  'the body must be a JSON object',
);
const commentBody = z.strictObject(
  { body: textField('body', MAX_COMMENT), version },
  'the body must be a JSON object',
);
const resolveBody = z.strictObject(
  {
    resolution: z.enum(
      ['fraud', 'false_positive'],
      'resolution must be one of fraud, false_positive',
    ),
    comment: z.optional(textField('comment', MAX_COMMENT)),
    version,
  },
  'the body must be a JSON object',
);

const bulkResolveBody = z.strictObject(
  {
    case_ids: z
      .array(
        z.string('case_id must be a string').check(z.regex(CASE_ID, CASE_ID_MESSAGE)),
        'case_ids must be an array',
      )
      .check(
        z.minLength(1, 'case_ids must name at least one case'),
        z.maxLength(MAX_BULK_RESOLVE, `case_ids may name at most ${MAX_BULK_RESOLVE} cases`),
        z.superRefine((ids, ctx) => {
          const seen = new Set<string>();
          ids.forEach((id, i) => {
            if (seen.has(id)) {
              ctx.issues.push({
                code: 'custom',
                input: id,
                path: [i],
                message: `case ${id} is named twice`,
              });
            }
            seen.add(id);
          });
        }),
      ),
    resolution: resolveBody.shape.resolution,
    comment: z.optional(textField('comment', MAX_COMMENT)),
  },
  'the body must be a JSON object',
);

/** A cursor of the queue in `sort`'s order: (sort, rank, key, case_id); another order's is a 400. */
function caseCursor(cursor: string, sort: CaseSort): [number, number | string, string] {
  const k = decodeCursor('case', cursor, CASE_ORDERS[sort].time ? 'snts' : 'snfs');
  if (k[0] !== sort) {
    throw validationProblem([
      { path: '/cursor', message: `the cursor is of sort ${String(k[0])}, not ${sort}` },
    ]);
  }
  return [Number(k[1]), k[2]!, String(k[3])];
}

/**
 * The LiveHub's record of one change. `delivery`: what changed is the verdict's delivery to the
 * edge, not the case (same version), so the event id names the delivery's try and state.
 */
export function liveCase(c: Case, delivery = false): LiveCase {
  const d = c.verdict_delivery;
  const suffix = delivery && d ? `:verdict:${d.attempts}:${d.state}` : '';
  return {
    kind: 'case',
    event_id: `case:${c.case_id}:${c.version}${suffix}`,
    case_id: c.case_id,
    transaction_id: c.transaction_id,
    status: c.status,
    assignee: c.assignee,
    resolution: c.resolution,
    updated_at: c.updated_at,
    version: c.version,
    verdict_delivery: d,
  };
}

/** GET /cases, GET /cases/:case_id and the three changes (assign, comments, resolve). */
export function casesRoutes(deps: ApiDeps, resolve: ResolveContext): Hono<ApiEnv> {
  const { sql } = deps;
  const now = deps.now ?? (() => new Date());
  const r = new Hono<ApiEnv>();

  const publish = (c: Case) => {
    try {
      deps.publishLive([liveCase(c)]);
    } catch (error) {
      deps.log.warn({ err: error, case_id: c.case_id }, 'analysts API: live publish failed');
    }
  };
  const caseId = (param: Record<string, string>): string =>
    parseWith(
      z.object({
        case_id: z.string().check(z.regex(CASE_ID, CASE_ID_MESSAGE)),
      }),
      param,
    ).case_id;

  r.get('/cases', async (c) => {
    const q = parseQuery(c, listQuery);
    const sort = q.sort ?? DEFAULT_CASE_SORT;
    const page = await listCases(sql, {
      status: q.status,
      assignee: q.assignee,
      decision: q.decision,
      sort,
      limit: q.limit ?? DEFAULT_PAGE,
      after: q.cursor === undefined ? undefined : caseCursor(q.cursor, sort),
    });
    return c.json(page);
  });

  // Before /cases/:case_id/…: "next" and "resolve" are not case ids.
  r.post('/cases/next', noQuery, async (c) => {
    const body = await parseBody(c, nextBody);
    const actor = c.get('principal').subject;
    const taken = await takeNextCase(
      sql,
      { decision: body.decision, sort: body.sort ?? '-risk' },
      now(),
      actor,
    );
    if (taken === null)
      throw new ProblemError('not-found', 'no unassigned open case is left in this view');
    publish(taken);
    return c.json(taken);
  });

  r.post('/cases/resolve', noQuery, async (c) => {
    const body = parseWith(bulkResolveBody, await readJsonBody(c, MAX_BULK_BODY_BYTES));
    const actor = c.get('principal').subject;
    const cases = await resolveCases(resolve, body, actor);
    for (const one of cases) publish(one);
    return c.json({ resolution: body.resolution, cases } satisfies BulkResolveResponse);
  });

  r.get('/cases/:case_id', noQuery, async (c) => {
    const id = caseId(c.req.param());
    const found = await getCase(sql, id);
    if (found === null) throw new ProblemError('not-found', `no case ${id}`);
    return c.json(found);
  });

  r.post('/cases/:case_id/assign', noQuery, async (c) => {
    const id = caseId(c.req.param());
    const body = await parseBody(c, assignBody);
    const actor = c.get('principal').subject;
    const updated = await assignCase(sql, id, body.assignee, body.version, now(), actor);
    publish(updated);
    return c.json(updated);
  });

  r.post('/cases/:case_id/comments', noQuery, async (c) => {
    const id = caseId(c.req.param());
    const body = await parseBody(c, commentBody);
    const author = c.get('principal').subject;
    const updated = await commentCase(sql, id, author, body.body, body.version, now());
    publish(updated);
    return c.json(updated, 201);
  });

  r.post('/cases/:case_id/resolve', noQuery, async (c) => {
    const id = caseId(c.req.param());
    const body = await parseBody(c, resolveBody);
    const actor = c.get('principal').subject;
    const { response, changed } = await resolveCase(resolve, id, body, actor);
    if (changed) publish(response);
    return c.json(response);
  });

  return r;
}
