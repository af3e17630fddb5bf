/**
 * Thresholds through the analysts' API (issue 16; docs/thresholds.md): what other thresholds would
 * have decided over the stored decisions (POST /thresholds/preview), the thresholds set per model
 * version (GET /thresholds) and setting them (PUT /thresholds/{model_version}), audited; every
 * edge serving that version decides with them after its next rules sync.
 */
import {
  modelVersionSchema,
  thresholdsPreviewRequestSchema,
  thresholdsSchema,
  ThresholdsPreviewTally,
  type FieldIssue,
  type ThresholdsList,
  type ThresholdsPreview,
} from '@vigil/core';
import { Hono } from 'hono';
import type { Sql } from 'postgres';
import * as z from 'zod/mini';
import type { ApiEnv } from '../api-env.js';
import { validationProblem } from '../../http/problem.js';
import {
  defaultWindowStart,
  instantIsStorable,
  MAX_QUERY_TIME,
  MIN_QUERY_TIME,
} from '../storable-time.js';
import { noQuery, parseBody, parseWith, pathParams } from '../validate.js';
import { defaultModelVersion, runPreview, thresholdsInForce } from './preview-query.js';
import { listThresholds, servedModels, setThresholds } from './thresholds-store.js';

/** The preview's window when the request names none: the last 30 days, as the backtest's. */
export const DEFAULT_PREVIEW_DAYS = 30;

const versionParam = z.object({ model_version: modelVersionSchema });

/** The request's window as instants Postgres can take, `from` before `to` (default: the last 30 days); else a 400 naming it. Also the model comparison's window. */
export function previewWindow(
  body: { readonly from?: string | undefined; readonly to?: string | undefined },
  now: Date,
): { from: Date; to: Date } {
  const issues: FieldIssue[] = [];
  const instant = (name: 'from' | 'to', text: string | undefined): Date | undefined => {
    if (text === undefined) return undefined;
    const d = new Date(text);
    if (instantIsStorable(d.getTime())) return d;
    issues.push({
      path: `/${name}`,
      message: `${name} must be from ${MIN_QUERY_TIME} to ${MAX_QUERY_TIME} (after its UTC offset)`,
    });
    return undefined;
  };
  const from = instant('from', body.from);
  const to = instant('to', body.to);
  if (issues.length > 0) throw validationProblem(issues);
  const end = to ?? now;
  const start = from ?? defaultWindowStart(end, DEFAULT_PREVIEW_DAYS);
  if (start.getTime() >= end.getTime()) {
    // Without a `from`, the `to` given is what leaves no window.
    throw validationProblem([{ path: from ? '/from' : '/to', message: 'from must be before to' }]);
  }
  return { from: start, to: end };
}

/** GET /thresholds, PUT /thresholds/:model_version, POST /thresholds/preview. */
export function thresholdsRoutes(deps: { sql: Sql; now: () => Date }): Hono<ApiEnv> {
  const { sql, now } = deps;
  const r = new Hono<ApiEnv>();

  r.get('/thresholds', noQuery, async (c) => {
    const [items, served] = await Promise.all([listThresholds(sql), servedModels(sql)]);
    const answer: ThresholdsList = { items, served };
    return c.json(answer);
  });

  r.put('/thresholds/:model_version', noQuery, async (c) => {
    const { model_version } = parseWith(versionParam, pathParams(c));
    const t = await parseBody(c, thresholdsSchema);
    const actor = c.get('principal').subject;
    return c.json(await setThresholds(sql, model_version, t, actor, now()));
  });

  r.post('/thresholds/preview', noQuery, async (c) => {
    const started = performance.now();
    const body = await parseBody(c, thresholdsPreviewRequestSchema);
    const window = previewWindow(body, now());
    const proposed = { review: body.review, decline: body.decline };
    const modelVersion = body.model_version ?? (await defaultModelVersion(sql, window, now()));
    const current =
      modelVersion === null
        ? null
        : ((await thresholdsInForce(sql, modelVersion))?.thresholds ?? null);
    // No model known (no decision in the window, no edge reporting): zeros under the proposal.
    const t =
      modelVersion === null
        ? new ThresholdsPreviewTally(proposed, null)
        : await runPreview(sql, { modelVersion, ...window, proposed, current });
    const answer: ThresholdsPreview = {
      window: { from: window.from.toISOString(), to: window.to.toISOString() },
      model_version: modelVersion,
      evaluated: t.evaluated,
      current: t.current,
      proposed: t.proposed,
      histogram: t.histogram,
      elapsed_ms: Math.round((performance.now() - started) * 10) / 10,
    };
    return c.json(answer);
  });

  return r;
}
