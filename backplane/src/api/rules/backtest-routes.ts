/**
 * POST /rules/backtest (ARCHITECTURE.md, "Decision rules and lists"): what a rule would have done
 * to the stored decisions of a window, counted by core's backtest engine — the same
 * compileRuleset and applyRules as the edge. It reads over a pool of its own (main.ts) with a
 * statement timeout, so it never holds up the consumer's writes or the dashboard's queries, and
 * each analyst runs one at a time, a backtest or a thresholds preview (heavy-reads.ts; a second →
 * 429 with Retry-After).
 */
import {
  BACKTEST_DEFAULT_DAYS,
  BacktestRun,
  backtestRequestSchema,
  ModelDecisions,
  planBacktest,
  VelocityReplay,
  type BacktestAnswer,
} from '@vigil/core';
import { Hono } from 'hono';
import type { Sql } from 'postgres';
import type { ApiEnv } from '../api-env.js';
import { validationProblem } from '../../http/problem.js';
import type { OneReadPerAnalyst } from '../heavy-reads.js';
import {
  defaultWindowStart,
  instantIsStorable,
  MAX_QUERY_TIME,
  MIN_QUERY_TIME,
} from '../storable-time.js';
import { noQuery, parseBody } from '../validate.js';
import { assertExpression } from './expression-check.js';
import {
  forEachStoredDecision,
  loadLists,
  modelScoreBounds,
  shadowVersions,
  velocitySpan,
  type Window,
} from './backtest-store.js';
import { thresholdsInForceByVersion } from '../thresholds/thresholds-in-force.js';
import { currentRuleset, listRefs } from './rules-store.js';

/**
 * Rows a page: large enough that a page's round trip is small beside counting it (on PGlite each
 * page costs its thread ~25 ms besides its rows: a million decisions took 9.6 s of CPU in pages of
 * 10,000, 6.9 s in pages of 50,000; PostgreSQL's took the same either way — docs/operations.md),
 * small enough that two pages (one counted, the next in flight) stay within tens of MiB and that
 * PGlite runs the consumer's and the dashboard's queries every few tenths of a second.
 */
export const BACKTEST_PAGE_ROWS = 50_000;

export interface BacktestDeps {
  /** The backtest's own pool (a statement timeout; never the consumer's or the API's). */
  readonly sql: Sql;
  readonly now: () => Date;
  /** The longest a backtest may run, ms (VIGIL_BACKTEST_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** Rows a page (tests make it small to cross page boundaries). */
  readonly pageRows?: number;
  /** One backtest or thresholds preview at a time per analyst (shared with the preview). */
  readonly limit: OneReadPerAnalyst;
}

/** The window asked for, checked: each end storable, from before to; defaults as the listing. */
function windowOf(body: { from?: string; to?: string }, now: Date): Window {
  const issues: { path: string; message: string }[] = [];
  const at = (name: 'from' | 'to'): Date | undefined => {
    const text = body[name];
    if (text === undefined) return undefined;
    const d = new Date(text);
    if (!instantIsStorable(d.getTime())) {
      issues.push({
        path: `/${name}`,
        message: `${name} must be from ${MIN_QUERY_TIME} to ${MAX_QUERY_TIME} (after its UTC offset)`,
      });
    }
    return d;
  };
  const from = at('from');
  const to = at('to');
  if (issues.length > 0) throw validationProblem(issues);
  const end = to ?? now;
  const start = from ?? defaultWindowStart(end, BACKTEST_DEFAULT_DAYS);
  if (start.getTime() >= end.getTime()) {
    throw validationProblem([
      { path: from ? '/from' : '/to', message: 'from must be before to (default: to − 30 days)' },
    ]);
  }
  return { from: start, to: end };
}

/** POST /rules/backtest. */
export function backtestRoutes(deps: BacktestDeps): Hono<ApiEnv> {
  const { sql, now } = deps;
  const r = new Hono<ApiEnv>();

  r.post('/rules/backtest', noQuery, async (c) => {
    const body = await parseBody(c, backtestRequestSchema);
    const started = now();
    const window = windowOf(body, started);
    const analyst = c.get('principal').subject;
    const read = { what: 'backtest', timeoutMs: deps.timeoutMs, signal: c.req.raw.signal };
    return c.json(
      await deps.limit.run(analyst, read, (betweenPages) =>
        backtest(body, window, started, betweenPages),
      ),
    );
  });

  async function backtest(
    body: ReturnType<typeof backtestRequestSchema.parse>,
    window: Window,
    started: Date,
    betweenPages: () => void,
  ): Promise<BacktestAnswer> {
    const t0 = performance.now();
    const [ruleset, lists] = await Promise.all([currentRuleset(sql), listRefs(sql)]);
    assertExpression(body.expression, lists);
    const planned = planBacktest(ruleset, lists, {
      expression: body.expression,
      action: body.action,
      ruleId: body.rule_id,
    });
    if (!planned.ok) {
      throw validationProblem([{ path: '/expression', message: planned.message }]);
    }
    const plan = planned.plan;
    const readsVelocity = plan.reads.velocity.length > 0;
    const [loaded, bounds, inForce, versions, span] = await Promise.all([
      loadLists(sql, plan.reads.lists, started),
      modelScoreBounds(sql, window),
      // The model's own decision of a row a rule changed: from the thresholds in force.
      thresholdsInForceByVersion(sql),
      plan.shadowRuleId === null ? null : shadowVersions(sql, plan.shadowRuleId),
      // Velocity is recomputed only when a rule reads it: else none of that work is done.
      readsVelocity ? velocitySpan(sql, window) : null,
    ]);
    const run = new BacktestRun(plan, loaded, new ModelDecisions(inForce, bounds ?? new Map()));
    await forEachStoredDecision(
      sql,
      plan,
      window,
      {
        pageSize: deps.pageRows ?? BACKTEST_PAGE_ROWS,
        shadow: versions === null ? null : { id: plan.shadowRuleId!, versions },
        ruled: bounds !== null,
        velocity: span === null ? null : { replay: new VelocityReplay(plan.reads.velocity), span },
        betweenPages,
      },
      (row) => run.add(row),
    );
    const asOf = started.toISOString();
    return {
      window: { from: window.from.toISOString(), to: window.to.toISOString() },
      ...run.totals(),
      lists_as_of: asOf,
      labels_as_of: asOf,
      velocity_from: span === null ? null : span.from.toISOString(),
      velocity_read_by: plan.velocityReadBy,
      elapsed_ms: Math.round(performance.now() - t0),
    };
  }

  return r;
}
