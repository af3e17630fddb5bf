/** GET /transactions (filtered, paged) and GET /transactions/{transaction_id}. */
import { DECISIONS } from '@vigil/core';
import { Hono } from 'hono';
import type { Sql } from 'postgres';
import * as z from 'zod/mini';
import type { ApiEnv } from './api-env.js';
import { decodeCursor } from './cursor.js';
import { ProblemError, validationProblem } from '../http/problem.js';
import { getTransaction, listTransactions } from './transactions-queries.js';
import {
  integerParam,
  listParam,
  noQuery,
  numberParam,
  parseQuery,
  parseWith,
  timeParam,
  tokenParam,
} from './validate.js';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

const listQuery = z.strictObject({
  decision: z.optional(listParam('decision', DECISIONS)),
  min_score: z.optional(numberParam('min_score', 0, 1)),
  max_score: z.optional(numberParam('max_score', 0, 1)),
  customer_id: z.optional(tokenParam('customer_id')),
  terminal_id: z.optional(tokenParam('terminal_id')),
  from: z.optional(timeParam('from')),
  to: z.optional(timeParam('to')),
  label: z.optional(
    z.enum(['fraud', 'legitimate', 'none'], 'label must be one of fraud, legitimate, none'),
  ),
  limit: z.optional(integerParam('limit', 1, MAX_PAGE)),
  cursor: z.optional(z.string()),
});

/** GET /transactions and GET /transactions/:transaction_id. */
export function transactionsRoutes(sql: Sql): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();

  r.get('/transactions', async (c) => {
    const q = parseQuery(c, listQuery);
    const issues = [];
    if (q.min_score !== undefined && q.max_score !== undefined && q.min_score > q.max_score) {
      issues.push({ path: '/min_score', message: 'min_score must be ≤ max_score' });
    }
    if (q.from && q.to && q.from.getTime() >= q.to.getTime()) {
      issues.push({ path: '/from', message: 'from must be before to' });
    }
    if (issues.length > 0) throw validationProblem(issues);
    const after = q.cursor === undefined ? undefined : decodeCursor('tx', q.cursor, 'ts');
    const page = await listTransactions(sql, {
      decision: q.decision,
      minScore: q.min_score,
      maxScore: q.max_score,
      customerId: q.customer_id,
      terminalId: q.terminal_id,
      from: q.from,
      to: q.to,
      label: q.label,
      limit: q.limit ?? DEFAULT_PAGE,
      after: after ? [String(after[0]), String(after[1])] : undefined,
    });
    return c.json(page);
  });

  r.get('/transactions/:transaction_id', noQuery, async (c) => {
    const id = parseWith(
      z.object({ transaction_id: tokenParam('transaction_id') }),
      c.req.param(),
    ).transaction_id;
    const tx = await getTransaction(sql, id);
    if (tx === null) {
      throw new ProblemError(
        'not-found',
        `no decision for transaction ${id} in Postgres (yet: decisions land a moment after scoring)`,
      );
    }
    return c.json(tx);
  });

  return r;
}
