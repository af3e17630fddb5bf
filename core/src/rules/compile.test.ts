import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../features/feature-names.js';
import { checkExpression, compileRuleset, ruleCost, RULESET_COST_BUDGET } from './compile.js';
import type { ListRef, Rule } from './rules-contract.js';
import { VELOCITY_NAMES } from './velocity-names.js';

const LISTS: readonly ListRef[] = [
  { name: 'blocked_customers', kind: 'customer_id' },
  { name: 'blocked_terminals', kind: 'terminal_id' },
  { name: 'bad_devices', kind: 'device_id' },
  { name: 'bad_ips', kind: 'ip' },
  { name: 'sanctioned', kind: 'country' },
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

describe('checkExpression', () => {
  it.each([
    'tx.amount > 500.0 && tx.hour >= 22',
    // Ordering across int and double is standard CEL: what an analyst writes.
    'tx.amount > 100',
    'tx.amount < 1 && features.customer_nb_tx_1d >= 10',
    'tx.amount == 100.0',
    'has(tx.country) && tx.country != "DE"',
    'has(tx.device_id) && velocity.device_customers_24h > 3.0',
    'tx.currency in ["EUR", "GBP"] && tx.channel == "ecommerce"',
    'score > 0.8 || model_decision == "decline"',
    'tx.transaction_id.startsWith("test_") && tx.terminal_id.size() > 3',
    'in_list("blocked_customers", tx.customer_id)',
    'in_list("blocked_terminals", tx.terminal_id) || in_list("bad_devices", tx.device_id)',
    '!in_list("bad_ips", tx.ip) && in_list("sanctioned", tx.country)',
    '[1.0, 2.0].exists(x, x * tx.amount > 10.0)',
  ])('accepts %s', (expression) => {
    expect(checkExpression(expression, LISTS)).toEqual({ ok: true });
  });

  it('knows every feature and velocity counter by name, as doubles', () => {
    for (const f of FEATURE_NAMES) {
      expect(checkExpression(`features.${f} >= 0.0`, LISTS), f).toEqual({ ok: true });
    }
    for (const v of VELOCITY_NAMES) {
      expect(checkExpression(`velocity.${v} >= 0.0`, LISTS), v).toEqual({ ok: true });
    }
  });

  it.each([
    // [expression, message contains, position]
    ['tx.amont > 1.0', 'No such key: amont', 3],
    ['features.customer_nb_tx_2d > 1.0', 'No such key: customer_nb_tx_2d', 9],
    ['velocity.card_tx_1h > 1.0', 'No such key: card_tx_1h', 9],
    ['amount > 1.0', 'Unknown variable: amount', 0],
    ['tx.amount > 1.0 &&', 'Unexpected token: EOF', 18],
    ['tx.amount > "100"', 'no such overload: double > string', 0],
    ['tx.hour == "22"', 'no such overload', 0],
    ['tx.amount == 100', 'write the number as a double, e.g. 100.0', 0],
    ['tx.amount * 2 > 10.0', 'write the number as a double', 0],
  ] as const)('refuses %s', (expression, message, position) => {
    const r = checkExpression(expression, LISTS);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toContain(message);
    expect(r.message).not.toContain('\n');
    expect(r.position).toBe(position);
  });

  it('refuses matches(): a backtracking regular expression could stall the edge on every payment', () => {
    for (const [e, position] of [
      // The library places a method call at its receiver.
      ['tx.customer_id.matches("(a+)+$")', 0],
      ['tx.amount > 1.0 && [tx.terminal_id].exists(t, t.matches("^x"))', 46],
      ['matches(tx.ip, "^10[.]")', 0],
    ] as const) {
      const r = checkExpression(e, LISTS);
      expect(r, e).toMatchObject({ ok: false, position });
      expect(!r.ok && r.message).toContain('matches() is not available in rules');
    }
    // The word in a string is not a call.
    expect(checkExpression('tx.channel == "matches"', LISTS)).toEqual({ ok: true });
  });

  it('refuses a loop macro inside another, and long literal lists: their cost multiplies', () => {
    const nested = '[1.0, 2.0].exists(x, [3.0].all(y, x * y > tx.amount))';
    expect(checkExpression(nested, LISTS)).toMatchObject({ ok: false, position: 21 });
    expect((checkExpression(nested, LISTS) as { message: string }).message).toContain(
      'inside another is not available',
    );
    // Side by side is fine.
    expect(
      checkExpression('[1.0].exists(x, x > tx.amount) && [2.0].all(y, y > 0.0)', LISTS),
    ).toEqual({ ok: true });
    const list = (n: number) =>
      `tx.country in [${Array.from({ length: n }, () => '"DE"').join(', ')}]`;
    expect(checkExpression(list(100), LISTS)).toEqual({ ok: true });
    expect(checkExpression(list(101), LISTS).ok).toBe(false);
  });

  it('refuses cel.bind: 26 nested binds of v + v (712 characters) exhausted the edge', () => {
    let bomb = 'size(v26) > 0';
    for (let i = 26; i >= 2; i--) bomb = `cel.bind(v${i}, v${i - 1} + v${i - 1}, ${bomb})`;
    bomb = `cel.bind(v1, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], ${bomb})`;
    expect(bomb.length).toBeLessThan(800);
    const r = checkExpression(bomb, LISTS);
    expect(r).toMatchObject({ ok: false, position: 0 });
    expect(!r.ok && r.message).toContain('cel.bind() is not available in rules');
    expect(checkExpression('cel.bind(x, tx.amount, x > 1.0)', LISTS).ok).toBe(false);
  });

  it('refuses the calls whose chains grow a value exponentially: join, hex, base64', () => {
    const join = (n: number) =>
      'size(tx.customer_id' + '.split("").join("aaaa")'.repeat(n) + ') > 0';
    for (const [e, word] of [
      [join(10), 'join()'],
      ['tx.customer_id.split("").join() == ""', 'join()'],
      ['size(bytes(bytes(tx.customer_id).hex()).hex()) > 0', 'hex()'],
      ['bytes(tx.customer_id).base64() == ""', 'base64()'],
    ] as const) {
      const r = checkExpression(e, LISTS);
      expect(r.ok, e).toBe(false);
      expect(!r.ok && r.message, e).toContain(`${word} is not available in rules`);
    }
    // split alone returns at most its input: allowed.
    expect(checkExpression('size(tx.customer_id.split("_")) > 1', LISTS)).toEqual({ ok: true });
  });

  it('refuses int literals outside int64, and keeps its two ends', () => {
    const r = checkExpression('tx.hour > 99999999999999999999999999', LISTS);
    expect(r).toMatchObject({ ok: false, position: 10 });
    expect(!r.ok && r.message).toContain('within int64');
    expect(checkExpression('tx.hour > 9223372036854775808', LISTS).ok).toBe(false);
    expect(checkExpression('tx.hour > -9223372036854775809', LISTS).ok).toBe(false);
    expect(checkExpression('tx.hour < 9223372036854775807', LISTS)).toEqual({ ok: true });
    expect(checkExpression('tx.hour > -9223372036854775808', LISTS)).toEqual({ ok: true });
  });

  it('refuses an expression that is not a bool, saying what it is', () => {
    for (const [e, type] of [
      ['score', 'double'],
      ['tx.country', 'string'],
      ['tx.hour + 1', 'int'],
    ] as const) {
      const r = checkExpression(e, LISTS);
      expect(r).toMatchObject({ ok: false, position: 0 });
      expect(!r.ok && r.message).toContain(`this expression is ${type}`);
    }
  });

  it('refuses in_list with an unknown list, naming it and the lists it knows', () => {
    const r = checkExpression('tx.amount > 1.0 && in_list("blocked_cards", tx.customer_id)', LISTS);
    expect(r).toMatchObject({ ok: false, position: 27 });
    expect(!r.ok && r.message).toContain('unknown list "blocked_cards"');
    expect(!r.ok && r.message).toContain('blocked_customers');
    const many = Array.from({ length: 25 }, (_, i) => ({ name: `l${i}`, kind: 'ip' as const }));
    const long = checkExpression('in_list("x", tx.ip)', many);
    expect(!long.ok && long.message).toContain('l9, … 15 more');
    // With no lists at all, every name is unknown.
    expect(checkExpression('in_list("blocked_customers", tx.customer_id)', []).ok).toBe(false);
  });

  it('refuses in_list whose first argument is not a string literal', () => {
    const r = checkExpression('in_list(tx.customer_id, tx.customer_id)', LISTS);
    // The library places a selection's errors at the field's name.
    expect(r).toMatchObject({ ok: false, position: 11 });
    expect(!r.ok && r.message).toContain('string literal naming a list');
  });

  it("refuses in_list of a literal or of another field than the list's kind", () => {
    const literal = checkExpression('in_list("blocked_customers", "c_1")', LISTS);
    expect(literal).toMatchObject({ ok: false, position: 29 });
    expect(!literal.ok && literal.message).toContain('must be tx.customer_id');
    const wrongKind = checkExpression('in_list("sanctioned", tx.customer_id)', LISTS);
    expect(!wrongKind.ok && wrongKind.message).toContain(
      'list "sanctioned" holds country values; its second argument must be tx.country',
    );
    expect(checkExpression('in_list("bad_ips", other.ip)', LISTS).ok).toBe(false);
  });

  it('rethrows nothing for hostile input: long, deep or odd text is an error, not a crash', () => {
    for (const e of [
      '('.repeat(500) + 'true' + ')'.repeat(500),
      'tx.amount > 1.0 && '.repeat(600) + 'true',
      '"\u0000"',
      '',
      '\ud800',
    ]) {
      const r = checkExpression(e, LISTS);
      expect(r.ok, e.slice(0, 20)).toBe(false);
    }
  });
});

describe('compileRuleset', () => {
  it('compiles active and shadow rules to run, in order; checks disabled ones but leaves them out', () => {
    const r = compileRuleset(
      {
        version: 7,
        rules: [
          rule('a', 'tx.amount > 1.0'),
          rule('b', 'tx.amount > 2.0', { mode: 'disabled' }),
          rule('c', 'tx.amount > 3.0', { mode: 'shadow', action: 'review' }),
        ],
      },
      LISTS,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.compiled.version).toBe(7);
    expect(r.compiled.rules.map((x) => [x.id, x.action, x.shadow])).toEqual([
      ['a', 'block', false],
      ['c', 'review', true],
    ]);
  });

  it('refuses the whole version when any rule (even a disabled one) does not compile', () => {
    const r = compileRuleset(
      {
        version: 2,
        rules: [
          rule('good', 'tx.amount > 1.0'),
          rule('typo', 'tx.amont > 1.0', { mode: 'disabled' }),
          rule('list', 'in_list("nope", tx.customer_id)', { mode: 'shadow' }),
        ],
      },
      LISTS,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.id, e.position])).toEqual([
      ['typo', 3],
      ['list', 8],
    ]);
    expect(r.errors[1]!.message).toContain('unknown list "nope"');
  });

  it('refuses a ruleset over its budget, naming what it costs; a loop body counts per element', () => {
    // 200 rules of ~4,000 characters compiled in 230–370 ms and cost ~60 ms per payment.
    const long = Array.from({ length: 199 }, () => 'tx.amount > 1.0').join(' && ');
    expect(long.length).toBeLessThanOrEqual(4_000);
    const per = ruleCost({ expression: long, mode: 'active' }, LISTS)!;
    expect(per).toBeGreaterThan(800);
    const fits = Math.floor(RULESET_COST_BUDGET / per);
    const rules = (n: number, mode: Rule['mode'] = 'active') =>
      Array.from({ length: n }, (_, i) => rule(`r${i}`, long, { mode }));
    expect(compileRuleset({ version: 1, rules: rules(fits) }, LISTS).ok).toBe(true);
    const over = compileRuleset({ version: 2, rules: rules(fits + 1) }, LISTS);
    expect(over.ok).toBe(false);
    expect(!over.ok && over.errors).toEqual([
      {
        id: `r${fits}`,
        message: expect.stringContaining(
          `it costs ${(fits + 1) * per} (expression nodes evaluated per payment), at most ${RULESET_COST_BUDGET}`,
        ) as string,
        position: null,
      },
    ]);
    // Shadow rules run: they count; disabled rules count their nodes (they are checked).
    expect(compileRuleset({ version: 3, rules: rules(fits + 1, 'shadow') }, LISTS).ok).toBe(false);
    expect(ruleCost({ expression: long, mode: 'disabled' }, LISTS)).toBe(per);
    // 200 four-clause rules fit.
    const typical =
      'in_list("blocked_customers", tx.customer_id) && tx.amount > 500.0 && tx.hour >= 22 && ' +
      'velocity.device_tx_1h > 3.0';
    const many = Array.from({ length: 200 }, (_, i) => rule(`t${i}`, typical));
    expect(compileRuleset({ version: 4, rules: many }, LISTS).ok).toBe(true);
    // A loop's body counts once per element of its list.
    const body = 'x > tx.amount';
    const loop = (n: number) =>
      `[${Array.from({ length: n }, (_, i) => `${i}.0`).join(', ')}].exists(x, ${body})`;
    const c10 = ruleCost({ expression: loop(10), mode: 'active' }, LISTS)!;
    const c20 = ruleCost({ expression: loop(20), mode: 'active' }, LISTS)!;
    // 10 more elements, each counting the loop's variable and its body's 4 nodes.
    expect(c20 - c10).toBe(10 + 10 * 5);
  });

  it('compiles an empty ruleset (version 0: none known yet)', () => {
    const r = compileRuleset({ version: 0, rules: [] }, []);
    expect(r.ok && r.compiled.rules).toEqual([]);
  });
});
