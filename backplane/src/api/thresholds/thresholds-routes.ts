/**
 * Thresholds through the analysts' API (issue 16; docs/thresholds.md): what other thresholds would
 * have decided over the stored decisions (POST /thresholds/preview), the thresholds set per model
 * version (GET /thresholds) and setting them (PUT /thresholds/{model_version}), audited; every
 * edge serving that version decides with them after its next rules sync. The preview reads over
 * the backtest's pool and is bounded as the backtest (heavy-reads.ts): one at a time per analyst,
 * counted with their backtests, and stopped past VIGIL_BACKTEST_TIMEOUT_MS.
 */
import {
  currencyNote,
  DEFAULT_MODEL_VERSION,
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
import type { OneReadPerAnalyst } from '../heavy-reads.js';
import { validationProblem } from '../../http/problem.js';
import {
  defaultWindowStart,
  instantIsStorable,
  MAX_QUERY_TIME,
  MIN_QUERY_TIME,
} from '../storable-time.js';
import { noQuery, parseBody, parseWith, pathParams } from '../validate.js';
import { defaultModelVersion, runPreview } from './preview-query.js';
import { thresholdsInForce } from './thresholds-in-force.js';
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

export interface ThresholdsDeps {
  /** The API's pool: listing and setting thresholds. */
  readonly sql: Sql;
  readonly now: () => Date;
  /** The preview's reads: the backtest's pool, its timeout and rows a page, and its limit. */
  readonly preview: {
    readonly sql: Sql;
    readonly timeoutMs: number;
    readonly pageRows?: number;
    readonly limit: OneReadPerAnalyst;
  };
}

/**
 * `default` names the committed default model in the registry's routes, never a model version: a
 * thresholds row under it would bind no decision. Refused here, pointing at the alias and the
 * version, rather than stored and silently unused.
 */
function notDefault(version: string | undefined, path: string): void {
  if (version !== DEFAULT_MODEL_VERSION) return;
  throw validationProblem([
    {
      path,
      message: `'${DEFAULT_MODEL_VERSION}' names the committed default model, not a version: use its version (GET /api/models → default.model_version) or PUT /api/models/default/thresholds`,
    },
  ]);
}

/** GET /thresholds, PUT /thresholds/:model_version, POST /thresholds/preview. */
export function thresholdsRoutes(deps: ThresholdsDeps): Hono<ApiEnv> {
  const { sql, now, preview } = deps;
  const r = new Hono<ApiEnv>();

  r.get('/thresholds', noQuery, async (c) => {
    const [items, served] = await Promise.all([listThresholds(sql), servedModels(sql)]);
    const answer: ThresholdsList = { items, served };
    return c.json(answer);
  });

  r.put('/thresholds/:model_version', noQuery, async (c) => {
    const { model_version } = parseWith(versionParam, pathParams(c));
    notDefault(model_version, '/model_version');
    const t = await parseBody(c, thresholdsSchema);
    const actor = c.get('principal').subject;
    return c.json(await setThresholds(sql, model_version, t, actor, now()));
  });

  r.post('/thresholds/preview', noQuery, async (c) => {
    const started = performance.now();
    const body = await parseBody(c, thresholdsPreviewRequestSchema);
    notDefault(body.model_version, '/model_version');
    const window = previewWindow(body, now());
    const proposed = { review: body.review, decline: body.decline };
    const read = { what: 'preview', timeoutMs: preview.timeoutMs, signal: c.req.raw.signal };
    const t = await preview.limit.run(c.get('principal').subject, read, async (betweenPages) => {
      const modelVersion =
        body.model_version ?? (await defaultModelVersion(preview.sql, window, now()));
      // No model known (no decision in the window, no edge reporting): zeros under the proposal.
      if (modelVersion === null)
        return { modelVersion, tally: new ThresholdsPreviewTally(proposed, null) };
      const current = (await thresholdsInForce(preview.sql, modelVersion))?.thresholds ?? null;
      const tally = await runPreview(preview.sql, {
        modelVersion,
        ...window,
        proposed,
        current,
        betweenPages,
        ...(preview.pageRows ? { pageRows: preview.pageRows } : {}),
      });
      return { modelVersion, tally };
    });
    const answer: ThresholdsPreview = {
      window: { from: window.from.toISOString(), to: window.to.toISOString() },
      model_version: t.modelVersion,
      evaluated: t.tally.evaluated,
      currencies: t.tally.currencies,
      currency_note: currencyNote(t.tally.currencies),
      current: t.tally.current,
      proposed: t.tally.proposed,
      histogram: t.tally.histogram,
      elapsed_ms: Math.round((performance.now() - started) * 10) / 10,
    };
    return c.json(answer);
  });

  return r;
}
