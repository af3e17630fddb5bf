/**
 * The case queue: list, one case, assign, comment, resolve. Every change is published to the
 * LiveHub as a LiveCase so every dashboard's queue row updates.
 */
import { DECISIONS, type Case, type LiveCase } from '@vigil/core';
import { Hono } from 'hono';
import * as z from 'zod/mini';
import type { ApiEnv } from './api-env.js';
import type { ApiDeps } from './deps.js';
import { resolveCase, type ResolveContext } from './case-resolution.js';
import { assignCase, commentCase, getCase, listCases } from './cases-queries.js';
import { decodeCursor } from './cursor.js';
import { ProblemError } from '../http/problem.js';
import { DEFAULT_PAGE, MAX_PAGE } from './transactions-routes.js';
import {
  integerParam,
  listParam,
  nameField,
  noQuery,
  parseBody,
  parseQuery,
  parseWith,
  textField,
} from './validate.js';

const CASE_ID = /^[A-Za-z0-9._:-]{1,200}$/;
export const MAX_COMMENT = 4_000;

const listQuery = z.strictObject({
  status: z.optional(listParam('status', ['open', 'assigned', 'resolved'] as const)),
  assignee: z.optional(nameField('assignee')),
  decision: z.optional(listParam('decision', DECISIONS)),
  limit: z.optional(integerParam('limit', 1, MAX_PAGE)),
  cursor: z.optional(z.string()),
});

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
        case_id: z
          .string()
          .check(z.regex(CASE_ID, 'case_id is not a case id (case_<transaction_id>)')),
      }),
      param,
    ).case_id;

  r.get('/cases', async (c) => {
    const q = parseQuery(c, listQuery);
    const after = q.cursor === undefined ? undefined : decodeCursor('case', q.cursor, 'nts');
    const page = await listCases(sql, {
      status: q.status,
      assignee: q.assignee,
      decision: q.decision,
      limit: q.limit ?? DEFAULT_PAGE,
      after: after ? [Number(after[0]), String(after[1]), String(after[2])] : undefined,
    });
    return c.json(page);
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
