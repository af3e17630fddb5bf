import { describe, expect, it } from 'vitest';
import type { BacktestAnswer, BacktestRequest } from '@vigil/core';
import { ApiError } from '../api/api-error.js';
import { fakeClock } from '../test/fakes.js';
import { BACKTEST_DEBOUNCE_MS, BACKTEST_RETRY_MS, createBacktestStore } from './backtest-store.js';
import type { ExpressionChecker } from './rule-editor-store.js';

const NOW = Date.UTC(2026, 11, 5, 12);
const tick = () => new Promise((r) => setTimeout(r, 0));

/** An answer of the contract's shape; the counts say which request it answers. */
function answer(matched: number): BacktestAnswer {
  return {
    window: { from: '2026-11-05T12:00:00.000Z', to: '2026-12-05T12:00:00.000Z' },
    ruleset_version: 3,
    evaluated: 100,
    matched,
    matched_fraud: 1,
    matched_legitimate: 0,
    matched_unlabelled: matched - 1,
    rule_errors: 0,
    model_thresholds: [],
    amount: {
      matched: 10,
      matched_fraud: 5,
      matched_legitimate: 0,
      currencies: ['EUR'],
      currency_note: '',
    },
    decision_changes: [],
    per_day: [],
    examples: [],
    lists_as_of: '2026-12-05T12:00:00.000Z',
    labels_as_of: '2026-12-05T12:00:00.000Z',
    velocity_from: null,
    velocity_read_by: { candidate: false, rules: [] },
    elapsed_ms: 3,
  };
}

/** A checker for the test: an expression is good when it mentions tx.amount. */
const check: ExpressionChecker = (e) =>
  e.includes('tx.amount') ? { ok: true } : { ok: false, message: 'nope', position: 0 };

function setup() {
  const clock = fakeClock();
  const sent: BacktestRequest[] = [];
  const replies: ((r: Promise<BacktestAnswer>) => void)[] = [];
  const store = createBacktestStore({
    client: {
      backtestRule: (body, signal) => {
        sent.push(body);
        return new Promise((resolve, reject) => {
          replies.push((r) => void r.then(resolve, reject));
          signal?.addEventListener('abort', () =>
            reject(new ApiError('aborted', 0, null, 'Request cancelled')),
          );
        });
      },
    },
    check,
    lists: () => [],
    now: () => NOW,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
  });
  return { store, clock, sent, replies };
}

describe('the backtest beside the rule editor', () => {
  it('sends the rule over the last 30 days once typing pauses, the window when changed', async () => {
    const { store, clock, sent, replies } = setup();
    store.setRule({ expression: 'tx.amount > 1', action: 'review' });
    clock.advance(BACKTEST_DEBOUNCE_MS - 1);
    store.setRule({ expression: 'tx.amount > 10.0', action: 'block', ruleId: 'big' });
    clock.advance(BACKTEST_DEBOUNCE_MS);
    expect(sent).toEqual([
      {
        expression: 'tx.amount > 10.0',
        action: 'block',
        rule_id: 'big',
        from: new Date(NOW - 30 * 86_400_000).toISOString(),
        to: new Date(NOW).toISOString(),
      },
    ]);
    replies[0]!(Promise.resolve(answer(4)));
    await tick();
    expect(store.answer()?.matched).toBe(4);
    store.setWindow(7);
    clock.advance(BACKTEST_DEBOUNCE_MS);
    expect(sent[1]!.from).toBe(new Date(NOW - 7 * 86_400_000).toISOString());
    expect(store.window()).toBe(7);
  });

  it('sends nothing for an empty expression or one the browser’s checker refuses', () => {
    const { store, clock, sent } = setup();
    store.setRule({ expression: '  ', action: 'review' });
    clock.advance(BACKTEST_DEBOUNCE_MS);
    store.setRule({ expression: 'score >', action: 'review' });
    clock.advance(BACKTEST_DEBOUNCE_MS);
    expect(sent).toEqual([]);
    expect(store.state()).toBe('idle');
  });

  it('hands a 400 on /expression to the editor and says any other failure itself', async () => {
    const { store, clock, replies } = setup();
    store.setRule({ expression: 'tx.amount > x', action: 'review' });
    clock.advance(BACKTEST_DEBOUNCE_MS);
    const problem = {
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      errors: [{ path: '/expression', message: 'undeclared reference to x at position 12' }],
    };
    replies[0]!(Promise.reject(new ApiError('http', 400, problem, 'Bad Request')));
    await tick();
    expect(store.expressionError()).toBe('undeclared reference to x at position 12');
    expect(store.error()).toBeNull();

    store.setRule({ expression: 'tx.amount > 1.0', action: 'review' });
    clock.advance(BACKTEST_DEBOUNCE_MS);
    replies[1]!(Promise.reject(new ApiError('http', 503, null, 'The database is busy')));
    await tick();
    expect(store.expressionError()).toBeNull();
    expect(store.error()).toBe('The database is busy');
  });

  it('says a backtest is already running on a 429 and asks again after', async () => {
    const { store, clock, sent, replies } = setup();
    store.setRule({ expression: 'tx.amount > 1.0', action: 'review' });
    clock.advance(BACKTEST_DEBOUNCE_MS);
    replies[0]!(Promise.reject(new ApiError('http', 429, null, 'Too Many Requests')));
    await tick();
    expect(store.state()).toBe('busy');
    expect(store.error()).toBeNull();
    clock.advance(BACKTEST_RETRY_MS);
    expect(sent).toHaveLength(2);
    replies[1]!(Promise.resolve(answer(2)));
    await tick();
    expect(store.state()).toBe('done');
    expect(store.answer()?.matched).toBe(2);
  });
});
