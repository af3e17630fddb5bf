/**
 * GET /stats?window=…, answered from a short per-window cache: every open dashboard polls it, and
 * a week's window is ~100k+ rows to aggregate. One computation per window is in flight at a time,
 * shared by every caller, and reused for a twelfth of a series bucket (1 s for 5m, 5 s for 1h,
 * 30 s for 24h and longer): the newest bucket is never staler than that share of its width.
 */
import type { Stats, StatsWindow } from '@vigil/core';
import { Hono } from 'hono';
import * as z from 'zod/mini';
import type { ApiEnv } from './api-env.js';
import type { ApiDeps } from './deps.js';
import { computeStats } from './stats-query.js';
import { parseQuery } from './validate.js';

/** core's STATS_WINDOWS (its index re-exports analyst-api.ts as types only). */
const STATS_WINDOWS = ['5m', '1h', '24h', '7d', 'all'] as const satisfies readonly StatsWindow[];
export const DEFAULT_WINDOW: StatsWindow = '1h';

/** How long an answer is reused, per window, in ms. */
export const STATS_CACHE_MS: Readonly<Record<StatsWindow, number>> = {
  '5m': 1_000,
  '1h': 5_000,
  '24h': 30_000,
  '7d': 30_000,
  all: 30_000,
};

const statsQuery = z.strictObject({
  window: z.optional(z.enum(STATS_WINDOWS, `window must be one of ${STATS_WINDOWS.join(', ')}`)),
});

/** GET /stats. */
export function statsRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const now = deps.now ?? (() => new Date());
  const ttl = (w: StatsWindow) => deps.statsCacheMs ?? STATS_CACHE_MS[w];
  const cache = new Map<StatsWindow, { at: number; stats: Promise<Stats> }>();
  const r = new Hono<ApiEnv>();

  r.get('/stats', async (c) => {
    const window = parseQuery(c, statsQuery).window ?? DEFAULT_WINDOW;
    const t = Date.now();
    let entry = cache.get(window);
    if (!entry || t - entry.at >= ttl(window)) {
      const fresh = {
        at: t,
        stats: computeStats(deps.sql, window, now(), deps.consumerLag()),
      };
      entry = fresh;
      if (ttl(window) > 0) cache.set(window, fresh);
      // A failure is not cached: the next caller tries again.
      fresh.stats.catch(() => {
        if (cache.get(window) === fresh) cache.delete(window);
      });
    }
    const stats = await entry.stats;
    // The cached answer, with the consumer lag as it is now (it is not part of the query).
    return c.json({ ...stats, consumer_lag: deps.consumerLag() });
  });

  return r;
}
