import { describe, expect, it } from 'vitest';
import { F, N_FEATURES } from '../features/feature-names.js';
import { BACKTEST_MAX_EXAMPLES } from './backtest-contract.js';
import {
  BacktestRun,
  currencyNote,
  planBacktest,
  type BacktestPlan,
  type BacktestRow,
} from './backtest.js';
import { addToBounds, emptyBounds, ModelDecisions, modelDecisionOf } from './model-decision.js';
import { ruleReads } from './rule-reads.js';
import type { ListRef, Rule, Ruleset } from './rules-contract.js';

const LISTS: readonly ListRef[] = [
  { name: 'blocked_customers', kind: 'customer_id' },
  { name: 'vip', kind: 'customer_id' },
];
const rule = (id: string, expression: string, over: Partial<Rule> = {}): Rule => ({
  id,
  name: id,
  description: '',
  expression,
  action: 'block',
  mode: 'active',
  ...over,
});
const RULESET: Ruleset = {
  version: 4,
  rules: [
    rule('block_listed', 'in_list("blocked_customers", tx.customer_id)'),
    rule('watch_big', 'tx.amount > 900.0', { action: 'review', mode: 'shadow' }),
  ],
};

function plan(expression: string, action: Rule['action'], ruleId?: string): BacktestPlan {
  const r = planBacktest(RULESET, LISTS, { expression, action, ruleId });
  if (!r.ok) throw new Error(r.message);
  return r.plan;
}

let n = 0;
function row(
  over: Partial<BacktestRow> & { amount?: number; customer?: string } = {},
): BacktestRow {
  const features = new Float64Array(N_FEATURES);
  features[F.customer_nb_tx_1d] = 5;
  n++;
  return {
    tx: {
      transaction_id: `t_${n}`,
      customer_id: over.customer ?? 'c_1',
      terminal_id: 'm_1',
      amount: over.amount ?? 100,
      currency: 'EUR',
    },
    timeSec: Date.parse('2024-03-01T10:00:00Z') / 1000,
    scoredAtMs: Date.parse('2024-03-01T10:00:01Z'),
    features,
    score: 0.1,
    decision: 'approve',
    hits: null,
    modelVersion: 'm1',
    label: null,
    ...over,
  };
}

describe('planBacktest', () => {
  it('refuses a bad expression with the checker’s message and position', () => {
    const r = planBacktest(RULESET, LISTS, { expression: 'tx.amount > ', action: 'block' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.position).not.toBeNull();
    const t = planBacktest(RULESET, LISTS, { expression: 'tx.amount', action: 'block' });
    expect(t.ok).toBe(false);
  });

  it('replaces the rule rule_id names, and compares a shadow one', () => {
    const p = plan('tx.amount > 500.0', 'block', 'watch_big');
    expect(p.candidateId).toBe('watch_big');
    expect(p.shadowRuleId).toBe('watch_big');
    expect(p.withCandidate.rules.map((r) => r.id)).toEqual(['block_listed', 'watch_big']);
    expect(p.baseline.rules.map((r) => r.id)).toEqual(['block_listed']);
    const added = plan('tx.amount > 500.0', 'block', 'new_rule');
    expect(added.shadowRuleId).toBeNull();
    expect(added.withCandidate.rules.map((r) => r.id)).toEqual(['block_listed', 'new_rule']);
  });

  it('reads only what the rules read', () => {
    const p = plan('tx.amount > 500.0 && features.customer_nb_tx_1d > 3.0', 'review');
    expect(p.reads.features).toEqual(['customer_nb_tx_1d']);
    expect(p.reads.tx).toEqual(['customer_id', 'amount']);
    expect(p.reads.lists).toEqual(['blocked_customers']);
    expect(p.reads.velocity).toEqual([]);
  });

  it('says which rules read velocity: the candidate, and the other active rules by id', () => {
    const withVelocity: Ruleset = {
      version: 5,
      rules: [
        ...RULESET.rules,
        rule('burst', 'velocity.ip_tx_1h > 5.0', { action: 'review' }),
        rule('off_burst', 'velocity.ip_tx_1h > 9.0', { mode: 'disabled' }),
      ],
    };
    const p = (expression: string) => {
      const r = planBacktest(withVelocity, LISTS, { expression, action: 'review' });
      if (!r.ok) throw new Error(r.message);
      return r.plan.velocityReadBy;
    };
    expect(p('tx.amount > 500.0')).toEqual({ candidate: false, rules: ['burst'] });
    expect(p('velocity.ip_tx_1h > 2.0')).toEqual({ candidate: true, rules: ['burst'] });
    expect(plan('tx.amount > 500.0', 'review').velocityReadBy).toEqual({
      candidate: false,
      rules: [],
    });
  });
});

describe('ruleReads', () => {
  it('finds lists, velocity states, model_decision; anything odd reads all', () => {
    const r = ruleReads([
      'in_list("vip", tx.customer_id) && velocity.ip_tx_1h > 2.0 && model_decision == "review"',
    ]);
    expect(r.lists).toEqual(['vip']);
    expect(r.velocity).toEqual(['ip']);
    expect(r.modelDecision).toBe(true);
    expect(ruleReads(['"customer_nb_tx_1d" in features']).features.length).toBe(N_FEATURES);
  });
});

describe('BacktestRun', () => {
  it('counts matches by label, amounts, changes, days and examples', () => {
    const p = plan('tx.amount > 500.0', 'block');
    const lists = [
      { name: 'blocked_customers', kind: 'customer_id' as const, values: new Set(['c_bad']) },
    ];
    const run = new BacktestRun(p, lists, new ModelDecisions());
    run.add(row({ amount: 600, label: 'fraud' }));
    run.add(row({ amount: 700, label: 'legitimate', decision: 'review' }));
    run.add(row({ amount: 800, customer: 'c_bad' })); // already declined by the list rule
    run.add(row({ amount: 10, scoredAtMs: Date.parse('2024-03-02T00:00:00Z') }));
    const t = run.totals();
    expect(t).toMatchObject({
      evaluated: 4,
      matched: 3,
      matched_fraud: 1,
      matched_legitimate: 1,
      matched_unlabelled: 1,
      rule_errors: 0,
      ruleset_version: 4,
    });
    expect(t.amount).toMatchObject({ matched: 2100, matched_fraud: 600, matched_legitimate: 700 });
    expect(t.amount.currencies).toEqual(['EUR']);
    expect(t.decision_changes).toEqual([
      { from: 'approve', to: 'decline', count: 1, amount: 600 },
      { from: 'review', to: 'decline', count: 1, amount: 700 },
    ]);
    expect(t.per_day).toEqual([
      { day: '2024-03-01', evaluated: 3, matched: 3, matched_fraud: 1 },
      { day: '2024-03-02', evaluated: 1, matched: 0, matched_fraud: 0 },
    ]);
    expect(t.examples.map((e) => e.label)).toEqual(['fraud', null, 'legitimate']);
    expect(t.examples[0]).toMatchObject({ decision: 'approve', new_decision: 'decline' });
    expect(t.shadow).toBeUndefined();
  });

  it('keeps the newest examples, frauds first, at most BACKTEST_MAX_EXAMPLES', () => {
    const run = new BacktestRun(plan('true', 'review'), [], new ModelDecisions());
    for (let i = 0; i < 30; i++)
      run.add(row({ label: i % 2 === 0 ? 'fraud' : null, scoredAtMs: i }));
    const ex = run.totals().examples;
    expect(ex).toHaveLength(BACKTEST_MAX_EXAMPLES);
    expect(ex.slice(0, 15).every((e) => e.label === 'fraud')).toBe(true);
    expect(ex[0]!.scored_at).toBe(new Date(28).toISOString());
  });

  it('counts the shadow rule’s live matches beside the backtest', () => {
    const run = new BacktestRun(
      plan('tx.amount > 500.0', 'review', 'watch_big'),
      [],
      new ModelDecisions(),
    );
    run.add(row({ amount: 950, label: 'fraud', shadowLive: { evaluated: true, matched: true } }));
    run.add(row({ amount: 600, shadowLive: { evaluated: true, matched: false } }));
    run.add(row({ amount: 600, shadowLive: { evaluated: false, matched: false } }));
    const t = run.totals();
    expect(t.matched).toBe(3);
    expect(t.shadow).toEqual({
      rule_id: 'watch_big',
      evaluated: 2,
      matched: 1,
      matched_fraud: 1,
      matched_legitimate: 0,
      matched_unlabelled: 0,
    });
  });

  it('counts a rule that fails at run time as not matched', () => {
    const run = new BacktestRun(plan('int(tx.customer_id) > 3', 'block'), [], new ModelDecisions());
    run.add(row());
    expect(run.totals()).toMatchObject({ matched: 0, rule_errors: 1 });
  });

  it('says how mixed currencies are summed', () => {
    expect(currencyNote(['EUR', 'USD'])).toMatch(/mixed currencies \(EUR, USD\).*unconverted/);
    expect(currencyNote(['EUR'])).toBe('all in EUR, in its major unit');
  });
});

describe('modelDecisionOf', () => {
  const b = emptyBounds();
  addToBounds(b, 'approve', 0.2);
  addToBounds(b, 'review', 0.6);
  addToBounds(b, 'review', 0.7);
  addToBounds(b, 'decline', 0.9);
  it('is the stored decision when no rule matched, and decline under review rules alone', () => {
    expect(modelDecisionOf('review', null, 0.05, b)).toBe('review');
    expect(modelDecisionOf('decline', ['review'], 0.05, b)).toBe('decline');
  });
  it('else comes from the score, bracketed by the rule-free decisions', () => {
    expect(modelDecisionOf('decline', ['block'], 0.1, b)).toBe('approve');
    expect(modelDecisionOf('approve', ['allow'], 0.95, b)).toBe('decline');
    expect(modelDecisionOf('approve', ['allow'], 0.65, b)).toBe('review');
    expect(modelDecisionOf('approve', ['allow'], 0.35, b)).toBe('approve'); // below the midpoint 0.4
    expect(modelDecisionOf('approve', ['allow'], 0.45, b)).toBe('review');
    expect(modelDecisionOf('review', ['review'], 0.95, b)).toBe('review');
    expect(modelDecisionOf('decline', ['block'], 0.5, undefined)).toBe('decline');
  });
});
