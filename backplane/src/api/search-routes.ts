/** GET /search?q=…: find a transaction, a card or a terminal by its id or the id's beginning. */
import { Hono } from 'hono';
import type { Sql } from 'postgres';
import * as z from 'zod/mini';
import type { ApiEnv } from './api-env.js';
import { search } from './search-queries.js';
import { parseQuery, tokenParam } from './validate.js';

const searchQuery = z.strictObject({ q: tokenParam('q') });

/** GET /search. */
export function searchRoutes(sql: Sql): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  r.get('/search', async (c) => {
    const { q } = parseQuery(c, searchQuery);
    return c.json(await search(sql, q));
  });
  return r;
}
