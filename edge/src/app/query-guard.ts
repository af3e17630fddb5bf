/**
 * Every edge route refuses a query parameter given twice and `__proto__` (core's
 * singleQueryParams says why), as the analysts' API does: 400 problem+json naming the parameter.
 * The edge's own routes read no parameters, so the parsed values are not kept.
 */
import { singleQueryParams } from '@vigil/core';
import type { MiddlewareHandler } from 'hono';
import { validationProblem } from './problem.js';

/** Throw a 400 if the query of `url` repeats a parameter or names `__proto__`. */
export function checkQuery(url: string): void {
  const at = url.indexOf('?');
  // No query, no parse: the scoring hot path pays one indexOf.
  if (at < 0) return;
  const q = singleQueryParams(new URLSearchParams(url.slice(at + 1).split('#', 1)[0]));
  if (!q.ok) throw validationProblem(q.issues);
}

/** The same check as Hono middleware, for every route of the app. */
export const queryGuard: MiddlewareHandler = async (c, next) => {
  checkQuery(c.req.url);
  await next();
};
