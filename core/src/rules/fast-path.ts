/**
 * The fast path of rule evaluation: a rule's type-checked cel-js AST turned into JavaScript
 * closures, once per ruleset version. No eval, no new Function (Workers forbid both): each node
 * becomes a small function over its children's functions.
 *
 * Why we wrote this rather than call the library per rule: issue 15's target is ≤ 5 µs per
 * transaction at 50 active rules. cel-js's tree-walking interpreter took 8–17 µs there
 * (bench/rules.bench.ts on the shared 2-core machine); a CPU profile put ~80 % of it in the
 * library: node dispatch, a new root context per evaluation, field reads with their runtime type
 * check, operator overload dispatch. The checker has already resolved every type, so the closures
 * do only the work left: the same reads, checks and operators, without the dispatch. Measured
 * with the same bench: see docs/dependencies.md ("CEL").
 *
 * Exactness: the closures give cel-js's results, errors included (a closure throws where cel-js
 * throws). Only the subset rules use is compiled — literals, the variables, one-level field reads
 * and has(), in_list, &&, || and ! with CEL's error absorption, the ternary, comparisons, numeric
 * and string arithmetic, `in` on a literal list, startsWith/endsWith/contains — each mirroring
 * the overload cel-js 8.0.0 picks for those types (node_modules/@marcbachmann/cel-js/lib:
 * operators.js, overloads.js, registry.js). Any other node (size, exists/all, map literals, a
 * `dyn` operand, …) makes the whole rule run on the library, so behaviour never differs.
 * fast-path.test.ts (random expressions × random inputs) and conformance.test.ts prove it.
 */
import { LISTS_KEY, MESSAGE_FIELDS, type FeaturesView, type TxView } from './rule-env.js';
import { FEATURE_NAMES } from '../features/feature-names.js';
import { VELOCITY_NAMES } from './velocity-names.js';

/** The evaluation context: what applyRules passes (the views, score, model_decision, lists). */
export type RuleContext = Readonly<Record<string, unknown>>;

/** A compiled node: its value for one context, or a throw where cel-js raises an error. */
export type Closure = (c: RuleContext) => unknown;

/**
 * What a closure throws: one error made once. Callers only need "this failed" (applyRules counts
 * the rule as failed, as it does for the library's errors); no stack is captured per failure.
 */
export const RULE_FAILED = new Error('rule evaluation failed');

function fail(): never {
  throw RULE_FAILED;
}

/** A parsed, type-checked cel-js node, as far as this file reads it (not in the library's .d.ts). */
interface Node {
  readonly op: string;
  readonly args: unknown;
  readonly checkedType?: { readonly name: string };
  readonly meta: { readonly alternate?: unknown; readonly macro?: unknown };
}

/** cel-js's runtime type check of a value against a declared primitive type (registry.js). */
const MATCHES: Readonly<Record<string, (v: unknown) => boolean>> = {
  string: (v) => typeof v === 'string',
  int: (v) => typeof v === 'bigint',
  double: (v) => typeof v === 'number',
  bool: (v) => typeof v === 'boolean',
};

const MAX_INT = 9223372036854775807n;
const MIN_INT = -9223372036854775808n;

const typeOf = (n: Node): string | undefined => n.checkedType?.name;

/**
 * The closure of a type-checked rule, or null when any of its nodes is outside the subset (the
 * caller then runs the library's program). `ast` is `program.ast` after `program.check()`.
 */
export function compileFast(ast: unknown): Closure | null {
  return build(ast as Node);
}

function build(n: Node): Closure | null {
  // A node the parser rewrote (a constant, exists/all/map/filter) is the library's.
  if (n.meta.alternate !== undefined) return null;
  switch (n.op) {
    case 'value':
      return literal(n.args);
    case 'id':
      return variable(n.args as string, typeOf(n));
    case '.':
      return fieldRead(n.args as [Node, string]);
    case '&&':
    case '||':
      return logical(n.op, n.args as [Node, Node]);
    case '!_':
    case '-_':
      return unary(n.op, n.args as Node);
    case '?:':
      return ternary(n.args as [Node, Node, Node]);
    case 'in':
      return membership(n.args as [Node, Node]);
    case 'call':
      return n.meta.macro === undefined ? null : macro(n.args as [string, Node[]]);
    case 'rcall':
      return n.meta.macro === undefined ? stringMethod(n.args as [string, Node, Node[]]) : null;
    case '==':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return binary(n.op, n.args as [Node, Node]);
    default:
      return null; // list and map literals, indexing, comprehensions, optionals
  }
}

function literal(v: unknown): Closure | null {
  const t = typeof v;
  if (v !== null && t !== 'string' && t !== 'number' && t !== 'bigint' && t !== 'boolean') {
    return null; // bytes, uint: never in rules
  }
  return () => v;
}

/** A variable of a primitive type (score, model_decision): cel-js's getCheckedValue. */
function variable(name: string, type: string | undefined): Closure | null {
  if (type === undefined || MATCHES[type] === undefined) return null; // a message read whole, dyn
  return checked((c) => c[name], type);
}

/** A read that fails, as cel-js's does, when the value is absent or not of the declared type. */
function checked(read: Closure, type: string): Closure {
  if (type === 'double') {
    // The common case (features, velocity, amounts, score) without the matcher's call.
    return (c) => {
      const v = read(c);
      return typeof v === 'number' ? v : fail();
    };
  }
  const matches = MATCHES[type]!;
  return (c) => {
    const v = read(c);
    return v !== undefined && matches(v) ? v : fail();
  };
}

/** How to read one field of a registered message from applyRules' views; null if unknown. */
function fieldReader(
  target: Node,
  field: string,
): { read: Closure; type: string; row?: { name: string; i: number } } | null {
  if (target.op !== 'id' || target.meta.alternate !== undefined) return null;
  const message = typeOf(target);
  const type = message === undefined ? undefined : MESSAGE_FIELDS[message]?.[field];
  if (type === undefined) return null;
  const name = target.args as string;
  if (message === 'vigil.Transaction') {
    // TxView's getters read `t`; `hour` is computed (rule-env.ts).
    if (field === 'hour') return { read: (c) => (c[name] as TxView).hour, type };
    return { read: (c) => ((c[name] as TxView).t as Record<string, unknown>)[field], type };
  }
  const names: readonly string[] = message === 'vigil.Features' ? FEATURE_NAMES : VELOCITY_NAMES;
  const i = names.indexOf(field);
  return {
    read: (c) => {
      const view = c[name] as FeaturesView;
      return view.row[view.offset + i];
    },
    type,
    row: { name, i },
  };
}

/** `tx.amount`: absent → no_such_key; a value of the wrong type → field_type_mismatch. */
function fieldRead([target, field]: [Node, string]): Closure | null {
  const r = fieldReader(target, field);
  if (r === null) return null;
  if (r.row === undefined) return checked(r.read, r.type);
  // Features and velocity, the reads rules make most: the read and its check in one closure.
  const { name, i } = r.row;
  return (c) => {
    const view = c[name] as FeaturesView;
    const v = view.row[view.offset + i];
    return typeof v === 'number' ? v : fail();
  };
}

/** has() and in_list, the two function macros rules use (macros.js, rule-env.ts). */
function macro([name, args]: [string, Node[]]): Closure | null {
  if (name === 'in_list' && args.length === 2) {
    // The type check proved the first argument a literal naming a known list; like the macro,
    // read the store's answer and evaluate neither argument.
    const list = args[0]!.args as string;
    return (c) => (c[LISTS_KEY] as readonly string[]).includes(list);
  }
  if (name !== 'has' || args.length !== 1 || args[0]!.op !== '.') return null;
  const [target, field] = args[0]!.args as [Node, string];
  const r = fieldReader(target, field);
  if (r === null) return null;
  const { read } = r;
  const matches = MATCHES[r.type]!;
  // Absent → false; present but of the wrong type → field_type_mismatch (registry.js).
  return (c) => {
    const v = read(c);
    if (v === undefined) return false;
    return matches(v) || fail();
  };
}

/**
 * `&&` and `||` as operators.js evaluates them: the left side's error is absorbed when the right
 * side decides (`error || true` is true, `false && error` is false), the right side's error is not.
 */
function logical(op: '&&' | '||', [l, r]: [Node, Node]): Closure | null {
  const left = build(l);
  const right = build(r);
  if (left === null || right === null) return null;
  const decisive = op === '||'; // the value that decides alone: true for ||, false for &&
  return (c) => {
    let lv: unknown;
    try {
      lv = left(c);
    } catch {
      lv = RULE_FAILED;
    }
    if (lv === decisive) return decisive;
    const rv = right(c);
    if (lv === !decisive) return typeof rv === 'boolean' ? rv : fail();
    return rv === decisive ? decisive : fail();
  };
}

/** `!` on a bool and `-` on a number: the overload the checker chose, without a runtime check. */
function unary(op: '!_' | '-_', a: Node): Closure | null {
  const t = typeOf(a);
  const arg = build(a);
  if (arg === null) return null;
  if (op === '!_') return t === 'bool' ? (c) => !arg(c) : null;
  return t === 'int' || t === 'double' ? (c) => -(arg(c) as number) : null;
}

function ternary([cond, yes, no]: [Node, Node, Node]): Closure | null {
  const k = build(cond);
  const a = build(yes);
  const b = build(no);
  if (k === null || a === null || b === null) return null;
  return (c) => {
    const v = k(c);
    return v === true ? a(c) : v === false ? b(c) : fail();
  };
}

/** Types whose same-type `==`/`!=` cel-js answers with `===` (overloads.js). */
const EQUAL_TYPES = new Set(['bool', 'string', 'int', 'double', 'null']);
/** Operand types cel-js orders with the JS operator itself (overloads.js). */
const ORDERED = new Set(['bool/bool', 'int/int', 'double/double', 'string/string']);
const NUMERIC = new Set(['int/double', 'double/int']);

type Num = number & bigint; // the operands are both ints or both doubles (checked), or ordered mixed

function binary(op: string, args: [Node, Node]): Closure | null {
  const [l, r] = args;
  const lt = typeOf(l);
  const rt = typeOf(r);
  if (lt === undefined || rt === undefined) return null;
  const pair = `${lt}/${rt}`;
  const a = build(l);
  const b = build(r);
  if (a === null || b === null) return null;
  // A literal on the right (`tx.amount > 500.0`, the common shape) is read once, not called.
  const k = r.op === 'value' ? (r.args as Num) : undefined;
  switch (op) {
    case '==':
    case '!=':
      if (lt !== rt || !EQUAL_TYPES.has(lt)) return null;
      if (op === '!=') return (c) => a(c) !== b(c);
      return k === undefined ? (c) => a(c) === b(c) : (c) => a(c) === k;
    case '<':
    case '<=':
    case '>':
    case '>=':
      if (!ORDERED.has(pair) && !NUMERIC.has(pair)) return null;
      return k === undefined ? compare(op, a, b) : compareTo(op, a, k);
    default:
      return arithmetic(op, pair, a, b);
  }
}

function compare(op: '<' | '<=' | '>' | '>=', a: Closure, b: Closure): Closure {
  switch (op) {
    case '<':
      return (c) => (a(c) as Num) < (b(c) as Num);
    case '<=':
      return (c) => (a(c) as Num) <= (b(c) as Num);
    case '>':
      return (c) => (a(c) as Num) > (b(c) as Num);
    case '>=':
      return (c) => (a(c) as Num) >= (b(c) as Num);
  }
}

function compareTo(op: '<' | '<=' | '>' | '>=', a: Closure, k: Num): Closure {
  switch (op) {
    case '<':
      return (c) => (a(c) as Num) < k;
    case '<=':
      return (c) => (a(c) as Num) <= k;
    case '>':
      return (c) => (a(c) as Num) > k;
    case '>=':
      return (c) => (a(c) as Num) >= k;
  }
}

/** cel-js's int results outside int64 are numeric_overflow errors (overloads.js, verifyInteger). */
const int64 = (v: bigint): bigint => (v <= MAX_INT && v >= MIN_INT ? v : fail());

function arithmetic(op: string, pair: string, a: Closure, b: Closure): Closure | null {
  if (pair === 'double/double') {
    switch (op) {
      case '+':
        return (c) => (a(c) as number) + (b(c) as number);
      case '-':
        return (c) => (a(c) as number) - (b(c) as number);
      case '*':
        return (c) => (a(c) as number) * (b(c) as number);
      case '/':
        return (c) => (a(c) as number) / (b(c) as number);
    }
  }
  if (pair === 'string/string' && op === '+') return (c) => (a(c) as string) + (b(c) as string);
  if (pair !== 'int/int') return null;
  switch (op) {
    case '+':
      return (c) => int64((a(c) as bigint) + (b(c) as bigint));
    case '-':
      return (c) => int64((a(c) as bigint) - (b(c) as bigint));
    case '*':
      return (c) => int64((a(c) as bigint) * (b(c) as bigint));
    case '/':
      // As cel-js: division by zero fails; the quotient is not range-checked.
      return (c) => {
        const x = a(c) as bigint;
        const y = b(c) as bigint;
        return y === 0n ? fail() : x / y;
      };
    case '%':
      return (c) => {
        const x = a(c) as bigint;
        const y = b(c) as bigint;
        return y === 0n ? fail() : x % y;
      };
  }
  return null;
}

/**
 * `x in [literals]` with one element type: cel-js's isEqual then reduces to `===` (NaN is in no
 * list, hence indexOf, not includes). Other lists are the library's.
 */
function membership([l, r]: [Node, Node]): Closure | null {
  const t = typeOf(l);
  if (t === undefined || !EQUAL_TYPES.has(t) || t === 'null') return null;
  if (r.op !== 'list' || r.meta.alternate !== undefined || typeOf(r) !== `list<${t}>`) return null;
  const items = r.args as Node[];
  if (!items.every((x) => x.op === 'value' && typeOf(x) === t)) return null;
  const values = items.map((x) => x.args);
  const a = build(l);
  if (a === null) return null;
  return (c) => values.indexOf(a(c)) >= 0;
}

/** `s.startsWith(p)`, `s.endsWith(p)`, `s.contains(p)` on strings (functions.js). */
function stringMethod([name, receiver, args]: [string, Node, Node[]]): Closure | null {
  if (args.length !== 1 || typeOf(receiver) !== 'string' || typeOf(args[0]!) !== 'string') {
    return null;
  }
  const s = build(receiver);
  const p = build(args[0]!);
  if (s === null || p === null) return null;
  switch (name) {
    case 'startsWith':
      return (c) => (s(c) as string).startsWith(p(c) as string);
    case 'endsWith':
      return (c) => (s(c) as string).endsWith(p(c) as string);
    case 'contains':
      return (c) => (s(c) as string).includes(p(c) as string);
  }
  return null;
}
