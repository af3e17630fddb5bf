/**
 * The backtest beside the rule editor: what the rule being typed would have done to the stored
 * decisions of the last 7, 30 or 90 days (POST /api/rules/backtest). Sent once typing pauses,
 * the previous one cancelled; an expression the browser's checker refuses is not sent (the editor
 * already says why), and the server's 400 on `/expression` is handed to the editor to show where
 * it shows its own.
 */
import { createSignal, type Accessor } from 'solid-js';
import type { BacktestAnswer, BacktestRequest, ListRef, RuleAction } from '@vigil/core';
import type { ApiClient } from '../api/client.js';
import { DEFAULT_WINDOW, windowRange, type AnalysisWindow } from './analysis-window.js';
import { createLatestRequest, type RequestState } from './latest-request.js';
import type { ExpressionChecker } from './rule-editor-store.js';

/** Quiet time after the last keystroke before the backtest is sent. */
export const BACKTEST_DEBOUNCE_MS = 400;
/** Wait before asking again when the server says a backtest of this analyst is running (429). */
export const BACKTEST_RETRY_MS = 1_000;

/** The rule as the backtest needs it. */
export interface BacktestRule {
  readonly expression: string;
  readonly action: RuleAction;
  /** The rule edited (its live shadow counts come back when it is in shadow mode). */
  readonly ruleId?: string;
}

export interface BacktestStoreOptions {
  readonly client: Pick<ApiClient, 'backtestRule'>;
  /** The browser's expression checker; absent, every expression goes to the server. */
  readonly check?: ExpressionChecker;
  readonly lists: Accessor<readonly ListRef[]>;
  readonly now?: () => number;
  readonly setTimeout?: (fn: () => void, ms: number) => unknown;
  readonly clearTimeout?: (h: unknown) => void;
}

export interface BacktestStore {
  readonly window: Accessor<AnalysisWindow>;
  setWindow(days: AnalysisWindow): void;
  /** The rule changed (each keystroke): the backtest follows once it is still. */
  setRule(rule: BacktestRule): void;
  readonly state: Accessor<RequestState>;
  /** The last answer; kept while a newer one is on its way. */
  readonly answer: Accessor<BacktestAnswer | null>;
  /** The server's word on the expression (a 400 naming `/expression`), for the editor. */
  readonly expressionError: Accessor<string | null>;
  /** Why the backtest failed otherwise. */
  readonly error: Accessor<string | null>;
  dispose(): void;
}

/** The request for `rule` over the last `days` days before `now`. */
export function backtestRequest(rule: BacktestRule, days: number, now: number): BacktestRequest {
  return {
    expression: rule.expression,
    action: rule.action,
    ...windowRange(days, now),
    ...(rule.ruleId ? { rule_id: rule.ruleId } : {}),
  };
}

export function createBacktestStore(opts: BacktestStoreOptions): BacktestStore {
  const now = opts.now ?? (() => Date.now());
  const [window, setWindowSignal] = createSignal<AnalysisWindow>(DEFAULT_WINDOW);
  let rule: BacktestRule | null = null;
  const req = createLatestRequest<BacktestRequest, BacktestAnswer>({
    send: (body, signal) => opts.client.backtestRule(body, signal),
    debounceMs: BACKTEST_DEBOUNCE_MS,
    retryMs: BACKTEST_RETRY_MS,
    ...(opts.setTimeout ? { setTimeout: opts.setTimeout } : {}),
    ...(opts.clearTimeout ? { clearTimeout: opts.clearTimeout } : {}),
    // Checked when typing pauses, not per keystroke: the checker is a full CEL type-check.
    ready: (body) => !opts.check || opts.check(body.expression, opts.lists()).ok,
  });

  const follow = (): void => {
    if (!rule || rule.expression.trim() === '') req.set(null);
    else req.set(backtestRequest(rule, window(), now()));
  };

  const onExpression = (): string | null =>
    req.error()?.fieldErrors.find((e) => e.path === '/expression')?.message ?? null;

  return {
    window,
    setWindow(days) {
      setWindowSignal(days);
      follow();
    },
    setRule(r) {
      rule = r;
      follow();
    },
    state: req.state,
    answer: req.answer,
    expressionError: onExpression,
    error: () => (onExpression() !== null ? null : req.message()),
    dispose: () => req.dispose(),
  };
}
