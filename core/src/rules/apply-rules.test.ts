import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES, N_FEATURES } from '../features/feature-names.js';
import type { Decision } from '../policy/decision.js';
import { applyRules, type RuleInput } from './apply-rules.js';
import { compileRuleset, type CompiledRuleset } from './compile.js';
import { ruleReason } from './rule-reason.js';
import type { ListRef, Rule, RuleAction, RuleMode } from './rules-contract.js';
import { VELOCITY_NAMES } from './velocity-names.js';

const LISTS: readonly ListRef[] = [
  { name: 'blocked_customers', kind: 'customer_id' },
  { name: 'sanctioned', kind: 'country' },
];

const rule = (
  id: string,
  expression: string,
  action: RuleAction = 'block',
  mode: RuleMode = 'active',
): Rule => ({ id, name: `Rule ${id}`, description: '', expression, action, mode });

function compile(rules: Rule[]): CompiledRuleset {
  const r = compileRuleset({ version: 3, rules }, LISTS);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.compiled;
}

const input = (over: Partial<RuleInput> = {}): RuleInput => ({
  tx: { transaction_id: 't_1', customer_id: 'c_1', terminal_id: 'm_1', amount: 120 },
  timeSec: Date.parse('2024-03-01T23:30:00Z') / 1000,
  features: new Float64Array(N_FEATURES),
  score: 0.1,
  modelDecision: 'approve',
  lists: [],
  ...over,
});

describe('applyRules: precedence', () => {
  // Which actions have an active rule that matched → the decision, for each model decision.
  // allow beats block beats review; review never makes the model's decision milder.
  const TABLE: readonly [string, Decision, Decision, RuleAction | null][] = [
    // matched      model       outcome     deciding rule
    ['', 'approve', 'approve', null],
    ['', 'review', 'review', null],
    ['', 'decline', 'decline', null],
    ['review', 'approve', 'review', 'review'],
    ['review', 'review', 'review', 'review'],
    ['review', 'decline', 'decline', null],
    ['block', 'approve', 'decline', 'block'],
    ['block', 'review', 'decline', 'block'],
    ['block', 'decline', 'decline', 'block'],
    ['block,review', 'approve', 'decline', 'block'],
    ['block,review', 'review', 'decline', 'block'],
    ['block,review', 'decline', 'decline', 'block'],
    ['allow', 'approve', 'approve', 'allow'],
    ['allow', 'review', 'approve', 'allow'],
    ['allow', 'decline', 'approve', 'allow'],
    ['allow,review', 'approve', 'approve', 'allow'],
    ['allow,review', 'review', 'approve', 'allow'],
    ['allow,review', 'decline', 'approve', 'allow'],
    ['allow,block', 'approve', 'approve', 'allow'],
    ['allow,block', 'review', 'approve', 'allow'],
    ['allow,block', 'decline', 'approve', 'allow'],
    ['allow,block,review', 'approve', 'approve', 'allow'],
    ['allow,block,review', 'review', 'approve', 'allow'],
    ['allow,block,review', 'decline', 'approve', 'allow'],
  ];
  const ACTIONS: readonly RuleAction[] = ['review', 'block', 'allow'];

  it.each(TABLE)('active %s, model %s → %s', (matched, model, outcome, deciding) => {
    const on = new Set(matched.split(',').filter(Boolean));
    // One matching rule per action in `on`, one non-matching rule of every action.
    const rules = ACTIONS.flatMap((a) => [
      rule(`${a}_no`, 'tx.amount > 1000.0', a),
      ...(on.has(a) ? [rule(`${a}_yes`, 'tx.amount > 100.0', a)] : []),
    ]);
    const r = applyRules(compile(rules), input({ modelDecision: model }));
    expect(r.decision).toBe(outcome);
    expect(r.decidingRule).toEqual(
      deciding === null
        ? null
        : { id: `${deciding}_yes`, name: `Rule ${deciding}_yes`, action: deciding },
    );
    expect(r.rules).toEqual(
      ACTIONS.filter((a) => on.has(a)).map((a) => ({ id: `${a}_yes`, action: a })),
    );
    expect(r.shadowRules).toEqual([]);
    expect(r.errors).toEqual([]);
  });

  it.each(TABLE)('shadow %s, model %s: recorded, never acting', (matched, model) => {
    const on = new Set(matched.split(',').filter(Boolean));
    const rules = ACTIONS.filter((a) => on.has(a)).map((a) =>
      rule(`${a}_shadow`, 'tx.amount > 100.0', a, 'shadow'),
    );
    const r = applyRules(compile(rules), input({ modelDecision: model }));
    expect(r.decision).toBe(model);
    expect(r.decidingRule).toBeNull();
    expect(r.rules).toEqual([]);
    expect(r.shadowRules).toEqual(ACTIONS.filter((a) => on.has(a)).map((a) => `${a}_shadow`));
  });

  it('takes the first matching rule of the deciding action, in ruleset order', () => {
    const r = applyRules(
      compile([
        rule('b1', 'tx.amount > 1000.0'),
        rule('b2', 'tx.amount > 100.0'),
        rule('b3', 'tx.amount > 10.0'),
      ]),
      input(),
    );
    expect(r.decidingRule?.id).toBe('b2');
    expect(r.rules.map((h) => h.id)).toEqual(['b2', 'b3']);
  });

  it('leaves disabled rules out entirely', () => {
    const r = applyRules(compile([rule('off', 'true', 'block', 'disabled')]), input());
    expect(r).toEqual({
      decision: 'approve',
      rules: [],
      shadowRules: [],
      decidingRule: null,
      errors: [],
    });
  });
});

describe('applyRules: what rules see', () => {
  it('reads the transaction, the UTC hour of its event time, the score and the model decision', () => {
    const c = compile([
      rule(
        'night',
        'tx.hour == 23 && tx.amount > 100 && tx.customer_id == "c_1" && tx.terminal_id == "m_1"',
      ),
      rule('model', 'score == 0.25 && model_decision == "review"', 'review'),
    ]);
    const r = applyRules(c, input({ score: 0.25, modelDecision: 'review' }));
    expect(r.rules.map((h) => h.id)).toEqual(['night', 'model']);
    // 22:59:59 UTC is hour 22; times before 1970 too.
    const early = applyRules(c, input({ timeSec: Date.parse('2024-03-01T22:59:59Z') / 1000 }));
    expect(early.rules).toEqual([]);
    const old = applyRules(c, input({ timeSec: Date.parse('1969-12-31T23:00:00Z') / 1000 }));
    expect(old.rules.map((h) => h.id)).toEqual(['night']);
  });

  it('reads features by name from a row at an offset (a batch buffer)', () => {
    const buf = new Float64Array(N_FEATURES * 2);
    const f = FEATURE_NAMES.indexOf('customer_nb_tx_1d');
    buf[N_FEATURES + f] = 12;
    const c = compile([rule('busy', 'features.customer_nb_tx_1d >= 10.0')]);
    expect(applyRules(c, input({ features: buf, featuresOffset: 0 })).rules).toEqual([]);
    expect(applyRules(c, input({ features: buf, featuresOffset: N_FEATURES })).rules).toEqual([
      { id: 'busy', action: 'block' },
    ]);
  });

  it('reads velocity counters by name, zeros when the store gives none', () => {
    const v = new Float64Array(VELOCITY_NAMES.length);
    v[VELOCITY_NAMES.indexOf('ip_customers_24h')] = 4;
    const c = compile([rule('shared_ip', 'velocity.ip_customers_24h > 3.0')]);
    expect(applyRules(c, input({ velocity: v })).decision).toBe('decline');
    expect(applyRules(c, input({ velocity: undefined })).decision).toBe('approve');
  });

  it('answers in_list from the store’s list names, without reading the field', () => {
    const c = compile([
      rule('blocked', 'in_list("blocked_customers", tx.customer_id)'),
      rule('sanctioned', 'in_list("sanctioned", tx.country)', 'review'),
    ]);
    expect(applyRules(c, input({ lists: ['blocked_customers'] })).rules).toEqual([
      { id: 'blocked', action: 'block' },
    ]);
    // No country on the transaction: not on a country list, and no error.
    const none = applyRules(c, input({ lists: [] }));
    expect(none).toMatchObject({ decision: 'approve', rules: [], errors: [] });
    // Inside a macro's loop too.
    const looped = compile([
      rule('loop', '[1.0, 2.0].exists(x, x < tx.amount && in_list("sanctioned", tx.country))'),
    ]);
    expect(applyRules(looped, input({ lists: ['sanctioned'] })).decision).toBe('decline');
    expect(applyRules(looped, input({ lists: [] })).decision).toBe('approve');
    const both = applyRules(c, input({ lists: ['sanctioned', 'blocked_customers'] }));
    expect(both.rules.map((h) => h.id)).toEqual(['blocked', 'sanctioned']);
  });

  it('gives each transaction its own answer although the views are reused', () => {
    const c = compile([rule('de', 'has(tx.country) && tx.country == "DE"')]);
    const de = input({ tx: { ...input().tx, country: 'DE' } });
    const fr = input({ tx: { ...input().tx, country: 'FR' } });
    expect(applyRules(c, de).decision).toBe('decline');
    expect(applyRules(c, fr).decision).toBe('approve');
    expect(applyRules(c, de).decision).toBe('decline');
  });
});

describe('applyRules: failures', () => {
  it('counts a rule that fails at run time as not matched, and never throws', () => {
    const c = compile([
      // tx.country is absent: reading it without has() is an error in CEL.
      rule('no_country', 'tx.country == "DE"'),
      rule('div', 'tx.hour / 0 == 1', 'review'),
      rule('ok', 'tx.amount > 100.0', 'review'),
    ]);
    const r = applyRules(c, input());
    expect(r.errors).toEqual(['no_country', 'div']);
    expect(r.rules).toEqual([{ id: 'ok', action: 'review' }]);
    expect(r.decision).toBe('review');
  });

  it('counts a result that is not a bool as an error (a hand-made program)', () => {
    const real = compile([rule('x', 'true')]);
    const odd: CompiledRuleset = {
      ...real,
      rules: [
        { id: 'one', name: 'one', action: 'block', shadow: false, run: () => 1 },
        {
          id: 'boom',
          name: 'boom',
          action: 'block',
          shadow: false,
          run: () => {
            throw new Error('not the library’s error');
          },
        },
        { id: 'shadow_null', name: 's', action: 'block', shadow: true, run: () => null },
      ],
    };
    const r = applyRules(odd, input({ modelDecision: 'review' }));
    expect(r).toEqual({
      decision: 'review',
      rules: [],
      shadowRules: [],
      decidingRule: null,
      errors: ['one', 'boom', 'shadow_null'],
    });
  });
});

describe('ruleReason', () => {
  it('names the deciding rule in words, per action', () => {
    expect(ruleReason({ id: 'card_testing', name: 'Card testing', action: 'block' })).toEqual({
      code: 'RULE_BLOCK',
      rule: 'card_testing',
      message: 'Blocked by rule “Card testing”',
      contribution: 0,
    });
    expect(ruleReason({ id: 'a', name: 'Known card', action: 'allow' }).message).toBe(
      'Approved by rule “Known card”',
    );
    expect(ruleReason({ id: 'n', name: 'Night', action: 'review' })).toMatchObject({
      code: 'RULE_REVIEW',
      message: 'Sent to review by rule “Night”',
    });
  });
});
