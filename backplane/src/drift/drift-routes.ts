/**
 * GET /api/drift: the newest drift run (null before the first) and its most drifting features —
 * what the dashboard's drift tile shows. docs/api.md describes it.
 */
import { DRIFT_TOP_FEATURES, type DriftAnswer } from '@vigil/core';
import { Hono } from 'hono';
import type { Sql } from 'postgres';
import type { ApiEnv } from '../api/api-env.js';
import { noQuery } from '../api/validate.js';
import { latestDriftRun } from './drift-store.js';

export function driftRoutes(sql: Sql): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  // No parameters: an unknown one is refused (400 naming it), as on every other route.
  r.get('/drift', noQuery, async (c) => {
    const latest = await latestDriftRun(sql);
    const answer: DriftAnswer = {
      latest,
      top: latest ? latest.features.slice(0, DRIFT_TOP_FEATURES) : [],
    };
    return c.json(answer);
  });
  return r;
}
