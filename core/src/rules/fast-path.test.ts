/**
 * The closures of fast-path.ts give exactly the library's results, errors included: random rule
 * expressions from a small typed grammar (every operator the closures compile, plus nodes they
 * leave to the library) × random transactions (absent fields, NaN, ±Infinity, -0, int64 edges,
 * short feature rows, a field of the wrong type), each run through both.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../features/feature-names.js';
import type { RuleInput } from './apply-rules.js';
import { compileRuleset } from './compile.js';
import { compileFast, type Closure, type RuleContext } from './fast-path.js';
import { ruleContext } from './rule-context.js';
import { ruleEnvironment, withLists, type RuleTransaction } from './rule-env.js';
import type { ListRef } from './rules-contract.js';
import { N_VELOCITY, VELOCITY_NAMES } from './velocity-names.js';

const LISTS: readonly ListRef[] = [
  { name: 'blocked_customers', kind: 'customer_id' },
  { name: 'bad_devices', kind: 'device_id' },
  { name: 'sanctioned', kind: 'country' },
];

const compiled = compileRuleset({ version: 1, rules: [] }, LISTS);
if (!compiled.ok) throw new Error('an empty ruleset compiles');
const context = (input: RuleInput): RuleContext => ruleContext(compiled.compiled, input);

type Program = ReturnType<typeof ruleEnvironment.parse>;

/** Parse and type-check as compile.ts does; the grammar below only writes well-typed rules. */
function parse(expression: string): Program {
  const program = ruleEnvironment.parse(expression);
  const checked = withLists(LISTS, () => program.check());
  if (!checked.valid) throw new Error(`${expression}: ${checked.error?.message ?? ''}`);
  return program;
}

/** A result to compare: a failure, or a value with its type (ints and doubles apart, -0, NaN). */
function outcome(run: () => unknown): string {
  let v: unknown;
  try {
    v = run();
  } catch {
    return 'error';
  }
  if (typeof v === 'number') return `double ${Object.is(v, -0) ? '-0' : String(v)}`;
  return `${typeof v} ${String(v)}`;
}

function fast(expression: string): Closure {
  const f = compileFast(parse(expression).ast);
  if (f === null) throw new Error(`${expression} is outside the closures' subset`);
  return f;
}

const plainTx: RuleTransaction = {
  transaction_id: 't_1',
  customer_id: 'c_1',
  terminal_id: 'm_1',
  amount: 120,
};
const plainInput: RuleInput = {
  tx: plainTx,
  timeSec: 1_700_000_000,
  features: new Float64Array(FEATURE_NAMES.length),
  score: 0.5,
  modelDecision: 'approve',
  lists: ['blocked_customers'],
};

describe('fast path: examples', () => {
  it.each([
    // An absent field is an error that && and || absorb when the other side decides.
    ['tx.country == "DE" || true', 'boolean true'],
    ['true || tx.country == "DE"', 'boolean true'],
    ['tx.country == "DE" && false', 'boolean false'],
    ['false && tx.country == "DE"', 'boolean false'],
    ['tx.country == "DE" && true', 'error'],
    ['tx.country == "DE" || false', 'error'],
    ['!has(tx.country) && tx.amount > 100', 'boolean true'],
    [
      'in_list("blocked_customers", tx.customer_id) && !in_list("bad_devices", tx.device_id)',
      'boolean true',
    ],
    ['tx.hour == 22 ? tx.amount > 1.0 : tx.amount < 1.0', 'boolean true'],
    ['9223372036854775807 + tx.hour > 0', 'error'],
    ['tx.hour / 0 == 1', 'error'],
    ['tx.customer_id in ["c_1", "c_2"] && tx.customer_id.startsWith("c_")', 'boolean true'],
  ])('%s → %s, as the library', (expression, expected) => {
    const input = plainInput;
    const program = parse(expression);
    expect(outcome(() => program(context(input)))).toBe(expected);
    expect(outcome(() => fast(expression)(context(input)))).toBe(expected);
  });

  it('runs the rules guide’s examples as closures (compileRuleset keeps no library program)', () => {
    const expressions = [
      'tx.amount < 5.0 && features.customer_nb_tx_1d >= 5.0',
      'in_list("bad_devices", tx.device_id)',
      'tx.customer_id == "c_4711" && tx.amount <= 2000.0',
      '(tx.hour >= 22 || tx.hour < 6) && tx.amount > 500 && has(tx.currency) && ' +
        'tx.currency == "EUR" && has(tx.device_id) && velocity.customer_devices_30d >= 2.0',
      'has(tx.country) && tx.country in ["NG", "RU"] && score > 0.4',
    ];
    const r = compileRuleset(
      {
        version: 2,
        rules: expressions.map((expression, i) => ({
          id: `r${i}`,
          name: `r${i}`,
          description: '',
          expression,
          action: 'review' as const,
          mode: 'active' as const,
        })),
      },
      LISTS,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    // A library program carries its AST; a closure does not.
    expect(r.compiled.rules.filter((rule) => 'ast' in rule.run).map((rule) => rule.id)).toEqual([]);
  });

  it('leaves to the library what it does not compile', () => {
    for (const expression of [
      'size(tx.customer_id) > 2',
      '[1.0, 2.0].exists(x, x < tx.amount)',
      'tx.amount in [1, 2.0]',
      '{"a": 1}["a"] == 1',
    ]) {
      expect(compileFast(parse(expression).ast), expression).toBeNull();
    }
  });
});

/** A typed grammar of rule expressions: bool at the top, as a rule must be. */
const grammar = fc.letrec((tie) => {
  const bool = tie('bool') as fc.Arbitrary<string>;
  const dbl = tie('dbl') as fc.Arbitrary<string>;
  const int = tie('int') as fc.Arbitrary<string>;
  const str = tie('str') as fc.Arbitrary<string>;
  const depth = { maxDepth: 4, depthIdentifier: 'rule' };
  const bin = (a: fc.Arbitrary<string>, ops: string[], b: fc.Arbitrary<string>) =>
    fc.tuple(a, fc.constantFrom(...ops), b).map(([x, op, y]) => `(${x} ${op} ${y})`);
  const ternary = (a: fc.Arbitrary<string>) =>
    fc.tuple(bool, a, a).map(([k, x, y]) => `(${k} ? ${x} : ${y})`);
  const ORDER = ['<', '<=', '>', '>='];
  const COMPARE = [...ORDER, '==', '!='];
  return {
    dbl: fc.oneof(
      depth,
      fc.constantFrom('0.0', '1.5', '-2.0', '1e308', '100.0', 'tx.amount', 'score'),
      fc.constantFrom(...FEATURE_NAMES.slice(0, 4)).map((f) => `features.${f}`),
      fc.constantFrom(...VELOCITY_NAMES.slice(0, 3)).map((v) => `velocity.${v}`),
      bin(dbl, ['+', '-', '*', '/'], dbl),
      dbl.map((x) => `-(${x})`),
      ternary(dbl),
    ),
    int: fc.oneof(
      depth,
      fc.constantFrom('0', '1', '-3', '22', '9223372036854775807', 'tx.hour'),
      bin(int, ['+', '-', '*', '/', '%'], int),
      int.map((x) => `-(${x})`),
      ternary(int),
    ),
    str: fc.oneof(
      depth,
      fc.constantFrom('""', '"DE"', '"c_1"', '"ecommerce"', '"é"', 'model_decision'),
      fc
        .constantFrom('country', 'device_id', 'ip', 'channel', 'currency', 'customer_id')
        .map((f) => `tx.${f}`),
      bin(str, ['+'], str),
      ternary(str),
    ),
    bool: fc.oneof(
      depth,
      fc.constantFrom(
        'true',
        'false',
        'has(tx.country)',
        'has(tx.device_id)',
        'has(features.amount)',
        'in_list("blocked_customers", tx.customer_id)',
        'in_list("bad_devices", tx.device_id)',
        'in_list("sanctioned", tx.country)',
      ),
      bin(dbl, COMPARE, dbl),
      bin(int, COMPARE, int),
      bin(dbl, ORDER, int),
      bin(int, ORDER, dbl),
      bin(str, COMPARE, str),
      bin(bool, ['&&', '||', '==', '!='], bool),
      bool.map((x) => `!(${x})`),
      ternary(bool),
      str.map((x) => `${x} in ["DE", "c_1", ""]`),
      int.map((x) => `${x} in [1, 22]`),
      dbl.map((x) => `${x} in [1.5, 0.0]`),
      fc
        .tuple(str, fc.constantFrom('startsWith', 'endsWith', 'contains'), str)
        .map(([s, m, p]) => `${s}.${m}(${p})`),
      // Outside the closures' subset: the whole rule runs on the library.
      str.map((x) => `size(${x}) > 1`),
      dbl.map((x) => `[1.0, 2.0].exists(v, v < ${x})`),
    ),
  };
}).bool;

const optional = <T>(values: T[]) => fc.option(fc.constantFrom(...values), { nil: undefined });
const doubles = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, 1.5, 100, 2_000, Number.NaN, Number.POSITIVE_INFINITY),
);

const inputs: fc.Arbitrary<RuleInput> = fc.record({
  tx: fc.record({
    transaction_id: fc.constant('t_1'),
    customer_id: fc.constantFrom('c_1', 'DE', 'é'),
    terminal_id: fc.constant('m_1'),
    amount: doubles,
    currency: optional(['EUR']),
    channel: optional(['ecommerce', 'in_store']),
    // 5: a value of the wrong type (never after the API's validation), to compare the errors.
    country: optional<string>(['DE', 'FR', 'é', 5 as unknown as string]),
    device_id: optional(['d_1', 'c_1']),
    ip: optional(['10.0.0.1']),
  }),
  timeSec: fc.integer({ min: -1e9, max: 4e9 }),
  // Sometimes shorter than the names: a read past its end is absent (an error, as the library).
  features: fc.array(doubles, { minLength: 0, maxLength: FEATURE_NAMES.length }),
  score: doubles,
  modelDecision: fc.constantFrom('approve', 'review', 'decline'),
  lists: fc.subarray(['blocked_customers', 'bad_devices', 'sanctioned']),
  velocity: fc.option(fc.array(doubles, { minLength: N_VELOCITY, maxLength: N_VELOCITY }), {
    nil: undefined,
  }),
});

describe('fast path: property', () => {
  it('equals the library on random rules × random transactions, errors included', () => {
    let compiledFast = 0;
    fc.assert(
      fc.property(grammar, fc.array(inputs, { minLength: 1, maxLength: 8 }), (rule, xs) => {
        const program = parse(rule);
        const f = compileFast(program.ast);
        const outside = rule.includes('size(') || rule.includes('.exists(');
        // Everything the grammar writes but size/exists is in the subset: compiled, not left.
        expect(f === null, rule).toBe(outside);
        if (f === null) return;
        compiledFast++;
        for (const x of xs) {
          const ctx = context(x);
          expect(
            outcome(() => f(ctx)),
            rule,
          ).toBe(outcome(() => program(ctx)));
        }
      }),
      { numRuns: 3_000 },
    );
    expect(compiledFast).toBeGreaterThan(1_000);
  });
});
