/**
 * The CEL conformance data (google/cel-spec, as @bufbuild/cel-spec ships it) run through the same
 * environment the rules are compiled in (rule-env.ts, baseEnvironment), by the library and, for
 * each test whose checked expression fast-path.ts compiles, by its closures too. Only the sections a rule can use are selected; within them, every test
 * must pass except the explicit exclusions below, each with why it does not matter to rules.
 */
import type { Value } from '@bufbuild/cel-spec/cel/expr/value_pb.js';
import type { Type } from '@bufbuild/cel-spec/cel/expr/checked_pb.js';
import {
  getConformanceSuite,
  type IncrementalTest,
  type IncrementalTestSuite,
} from '@bufbuild/cel-spec/testdata/tests.js';
import { describe, expect, it } from 'vitest';
import { compileFast } from './fast-path.js';
import { baseEnvironment } from './rule-env.js';

/** Sections (file → suites) a rule's expression can touch. */
const SELECTED: Readonly<Record<string, readonly string[]>> = {
  basic: ['self_eval_zeroish', 'self_eval_nonzeroish', 'variables', 'functions', 'reserved_const'],
  comparisons: [
    'eq_literal',
    'ne_literal',
    'lt_literal',
    'gt_literal',
    'lte_literal',
    'gte_literal',
    'in_list_literal',
    'in_map_literal',
    'bound',
  ],
  logic: ['conditional', 'AND', 'OR', 'NOT'],
  string: ['size', 'starts_with', 'ends_with', 'matches', 'concatenation', 'contains'],
  lists: ['in', 'size', 'index', 'concatenation'],
  macros: ['exists', 'all', 'exists_one'],
  fields: ['map_has', 'in'],
  conversions: ['double', 'int'],
};

/**
 * Tests of the selected sections left out, by `file/suite/name`, and why each is irrelevant to
 * rules. Everything else must pass.
 */
const EXCLUDED: Readonly<Record<string, string>> = {
  // Comparisons of int and double beyond 2^53: cel-js compares them as JS numbers. Amounts are at
  // most 1e9 (the API's bound), counters and hours are small: no rule comes near 2^53.
  'comparisons/lt_literal/not_lt_dyn_int_big_lossy_double': 'beyond 2^53',
  'comparisons/gt_literal/not_gt_dyn_big_double_int': 'beyond 2^53',
  'comparisons/lte_literal/lte_dyn_big_double_int': 'beyond 2^53',
  'comparisons/gte_literal/gte_dyn_int_big_lossy_double': 'beyond 2^53',
  // int(double) outside int64 should fail; cel-js returns the big integer. Rules convert amounts
  // (≤ 1e9) and counters, never a double near ±9.2e18.
  'conversions/int/double_int_max_range': 'int64 range',
  'conversions/int/double_int_min_range': 'int64 range',
  'conversions/int/double_range': 'int64 range',
  // `.99` (no digit before the point) is a parse error in cel-js: the analyst sees it, with its
  // position, when saving the rule, and writes 0.99.
  'comparisons/gt_literal/not_gt_double': 'leading-dot double literal',
  // An empty list literal has element type dyn, for which cel-js finds its `>` overloads
  // ambiguous (a compile error, never a wrong answer). A rule has no reason to test an empty list.
  'macros/all/list_empty': 'dyn ordering on an empty list literal',
  // Maps: no value in the rules' environment is a map (tx, features and velocity are typed
  // messages), so map comprehension and has() on a map literal cannot occur in a rule.
  'macros/exists_one/map_one': 'exists_one over a map literal',
  'fields/map_has/has_empty': 'has() on a map literal',
};

/** Literals rules never write: bytes, uint, protobuf messages, timestamps and durations. */
const FOREIGN_LITERAL =
  /\bb["']|\b\d+u\b|\b0x[0-9a-fA-F]+u\b|[A-Z]\w*\{|google\.protobuf|TestAllTypes|\b(?:timestamp|duration)\(/;

/** Values and types rules never see: bytes, uint, type values, messages, enums. */
function outsideRules(t: IncrementalTest): string | null {
  if (FOREIGN_LITERAL.test(t.original.expr)) return 'literal';
  if (t.original.container !== '') return 'container';
  // Run unchecked in the spec (mixed-type literals, `32 && false`): rules are always type-checked,
  // so an expression the checker refuses never runs.
  if (t.original.disableCheck) return 'unchecked';
  const s = JSON.stringify(t.original, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
  for (const marker of [
    'uint64Value',
    'bytesValue',
    'typeValue',
    'objectValue',
    'enumValue',
    'messageType',
  ]) {
    if (s.includes(marker)) return marker;
  }
  return null;
}

const PRIMITIVE: Readonly<Record<number, string>> = {
  1: 'bool',
  2: 'int',
  3: 'uint',
  4: 'double',
  5: 'string',
  6: 'bytes',
};

function celType(t: Type | undefined): string {
  const k = t?.typeKind;
  switch (k?.case) {
    case 'primitive':
      return PRIMITIVE[k.value] ?? 'dyn';
    case 'listType':
      return `list<${celType(k.value.elemType)}>`;
    case 'mapType':
      return `map<${celType(k.value.keyType)}, ${celType(k.value.valueType)}>`;
    case 'null':
      return 'null';
    default:
      return 'dyn';
  }
}

/** A conformance Value as the library's JS value. */
function jsValue(v: Value): unknown {
  const k = v.kind;
  switch (k.case) {
    case 'nullValue':
      return null;
    case 'boolValue':
    case 'stringValue':
    case 'doubleValue':
      return k.value;
    case 'int64Value':
      return BigInt(k.value);
    case 'listValue':
      return k.value.values.map(jsValue);
    case 'mapValue':
      return new Map(k.value.entries.map((e) => [jsValue(e.key!), jsValue(e.value!)]));
    default:
      throw new Error(`value kind ${String(k.case)} is outside the selection`);
  }
}

/** A canonical form to compare results: ints and doubles kept apart, maps by sorted entries. */
function canon(x: unknown): unknown {
  if (typeof x === 'bigint') return { int: String(x) };
  if (typeof x === 'number') return { double: Number.isNaN(x) ? 'NaN' : Object.is(x, -0) ? 0 : x };
  if (Array.isArray(x)) return x.map(canon);
  if (x instanceof Map) {
    return {
      map: [...x.entries()]
        .map(([k, v]) => [JSON.stringify(canon(k)), canon(v)] as const)
        .sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    };
  }
  if (x !== null && typeof x === 'object') return canon(new Map(Object.entries(x)));
  return x;
}

const base = baseEnvironment();

/** Tests whose expression fast-path.ts compiled to closures (run through both paths). */
let ranFast = 0;

/** Run one test through the library and, when it compiles them, the closures: null if passed. */
function run(t: IncrementalTest): string | null {
  const o = t.original;
  const env = base.clone({ unlistedVariablesAreDyn: true });
  for (const d of o.typeEnv) {
    if (d.declKind.case === 'ident') env.registerVariable(d.name, celType(d.declKind.value.type));
  }
  const bindings: Record<string, unknown> = {};
  for (const [name, ev] of Object.entries(o.bindings)) {
    if (ev.kind.case === 'value') bindings[name] = jsValue(ev.kind.value);
  }
  if (o.checkOnly) {
    const c = env.check(o.expr);
    return c.valid ? null : `check failed: ${c.error?.message ?? ''}`;
  }
  const library = judge(t, () => env.evaluate(o.expr, bindings));
  if (library !== null) return library;
  // The closures run on the checked AST, as compile.ts builds them.
  const program = env.parse(o.expr);
  const fast = program.check().valid ? compileFast(program.ast) : null;
  if (fast === null) return null;
  ranFast++;
  const why = judge(t, () => fast(bindings));
  return why === null ? null : `closures: ${why}`;
}

/** Compare one evaluation with the test's expected result: null if it matches. */
function judge(t: IncrementalTest, evaluate: () => unknown): string | null {
  const m = t.original.resultMatcher;
  let actual: unknown;
  try {
    actual = evaluate();
  } catch (e) {
    if (m.case === 'evalError' || m.case === 'anyEvalErrors') return null;
    return `threw ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  }
  if (m.case === 'evalError' || m.case === 'anyEvalErrors') {
    return `expected an error, got ${JSON.stringify(canon(actual))}`;
  }
  // No matcher: the expression must evaluate to true.
  const expected = m.case === 'value' ? jsValue(m.value) : true;
  const a = JSON.stringify(canon(actual));
  const e = JSON.stringify(canon(expected));
  return a === e ? null : `expected ${e}, got ${a}`;
}

function selectedTests(): { id: string; test: IncrementalTest }[] {
  const root = getConformanceSuite();
  const out: { id: string; test: IncrementalTest }[] = [];
  for (const [file, suites] of Object.entries(SELECTED)) {
    const f: IncrementalTestSuite | undefined = root.suites.find((s) => s.name === file);
    if (f === undefined) throw new Error(`no conformance file ${file}`);
    for (const name of suites) {
      const suite = f.suites.find((s) => s.name === name);
      if (suite === undefined) throw new Error(`no conformance suite ${file}/${name}`);
      for (const test of suite.tests) out.push({ id: `${file}/${name}/${test.name}`, test });
    }
  }
  return out;
}

describe('CEL conformance (the sections rules use)', () => {
  it('passes every selected test but the commented exclusions', () => {
    const tests = selectedTests();
    const failures: string[] = [];
    let ran = 0;
    for (const { id, test } of tests) {
      if (id in EXCLUDED || outsideRules(test) !== null) continue;
      ran++;
      const why = run(test);
      if (why !== null) failures.push(`${id}: ${why} [${test.original.expr}]`);
    }
    expect(failures).toEqual([]);
    // The selection is not empty by accident (the data's layout changed, say).
    expect(ran).toBeGreaterThanOrEqual(350);
    // Most of it also ran as closures (fast-path.ts), the rest (maps, size, macros) on the library.
    expect(ranFast).toBeGreaterThanOrEqual(170);
  });

  it('excludes only tests that exist', () => {
    const ids = new Set(selectedTests().map((t) => t.id));
    expect(Object.keys(EXCLUDED).filter((id) => !ids.has(id))).toEqual([]);
  });
});
