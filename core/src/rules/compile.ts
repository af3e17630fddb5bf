/**
 * Compiling rules: parse and type-check each CEL expression once per ruleset version (never per
 * request), against the lists the edge knows. The analysts' API uses `checkExpression` to refuse a
 * bad expression with its message and position; the edge uses `compileRuleset` when a new version
 * arrives and keeps the previous one if it does not compile.
 */
import { ParseError, TypeError as CelTypeError } from '@marcbachmann/cel-js';
import type { ListKind, ListRef, Rule, RuleAction, Ruleset } from './rules-contract.js';
import { compileFast, type RuleContext } from './fast-path.js';
import { referencedListKinds } from './list-kinds.js';
import type { VelocityStateKind } from './velocity-names.js';
import { referencedVelocityStates } from './velocity-states.js';
import { FeaturesView, ruleEnvironment, TxView, VelocityView, withLists } from './rule-env.js';

export type ExpressionCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** The CEL library's message, one line (without its source excerpt). */
      readonly message: string;
      /** 0-based character offset in the expression, when the library gives one. */
      readonly position: number | null;
    };

/** A rule ready to run: the parsed program and what the outcome needs of the rule. */
export interface CompiledRule {
  readonly id: string;
  readonly name: string;
  readonly action: RuleAction;
  readonly shadow: boolean;
  /**
   * The parsed, type-checked expression, called with the context of one transaction: its
   * closures (fast-path.ts) when every node is in their subset, else the library's program.
   */
  readonly run: (context: RuleContext) => unknown;
}

/** A ruleset version compiled: the rules that run (active and shadow), in ruleset order. */
export interface CompiledRuleset {
  readonly version: number;
  readonly rules: readonly CompiledRule[];
  /**
   * The kinds of the lists its rules' `in_list` calls read (list-kinds.ts): the feature store's
   * step reads list membership of these kinds only.
   */
  readonly listKinds: readonly ListKind[];
  /**
   * The velocity states its rules read (velocity-states.ts): the feature store's step keeps only
   * these, so a counter no rule reads is not kept (a new velocity rule counts from its publication).
   */
  readonly velocityStates: readonly VelocityStateKind[];
  /** Reused per transaction (evaluation is synchronous): see rule-env.ts, TxView. */
  readonly views: {
    readonly tx: TxView;
    readonly features: FeaturesView;
    readonly velocity: VelocityView;
  };
}

export type CompileResult =
  | { readonly ok: true; readonly compiled: CompiledRuleset }
  | {
      readonly ok: false;
      readonly errors: readonly { id: string; message: string; position: number | null }[];
    };

type Program = ReturnType<typeof ruleEnvironment.parse>;

/** Parse and type-check one expression: a program that returns bool, or why not. */
function compileExpression(
  expression: string,
  lists: readonly ListRef[],
): { ok: true; program: Program; cost: number; nodes: number } | (ExpressionCheck & { ok: false }) {
  let program: Program;
  try {
    program = ruleEnvironment.parse(expression);
  } catch (e) {
    return celError(e);
  }
  const found = scan(program.ast);
  if (found.refused !== null) return { ok: false, ...found.refused };
  const checked = withLists(lists, () => program.check());
  if (!checked.valid) return celError(checked.error);
  if (checked.type !== 'bool') {
    return {
      ok: false,
      message: `a rule must be true or false (bool); this expression is ${checked.type ?? 'not'}`,
      position: 0,
    };
  }
  return { ok: true, program, cost: found.cost, nodes: found.nodes };
}

/** A parsed node, as far as the walk below reads it (the library's AST). */
interface AstNode {
  readonly op: string;
  readonly args: unknown;
  /** Where the library points for this node: a method call's name, an operator's sign. */
  readonly pos?: number;
}

const isNode = (x: unknown): x is AstNode =>
  typeof x === 'object' && x !== null && 'op' in x && 'args' in x;

/** The macros that loop over a list: the cost of a rule is the product of nested ones. */
const LOOPS = new Set(['exists', 'all', 'exists_one', 'map', 'filter']);

/**
 * Calls whose result can be larger than their input by a constant factor, so that a chain of them
 * (or, for `cel.bind`, a bound value used twice in the next binding) grows exponentially with the
 * expression's length: 26 nested `cel.bind`s of `v + v` (712 characters) exhausted workerd's heap;
 * `s.split("").join("aaaa")` ×10, `bytes(…).hex()` ×40 alike. Everything else a rule can call
 * returns at most its input's size (or a bool, an int), so a rule's cost stays linear in its length.
 */
const GROWS: Readonly<Record<string, string>> = {
  bind:
    'cel.bind() is not available in rules: a bound value used twice in the next binding doubles ' +
    'at each level, and a short rule can exhaust the edge’s memory on every payment; write the ' +
    'expression out',
  join:
    'join() is not available in rules: each join can multiply a string’s length, and a chain of ' +
    'them grows exponentially on every payment',
  hex:
    'hex() is not available in rules: it doubles a value’s length, and a chain of them grows ' +
    'exponentially on every payment',
  base64:
    'base64() is not available in rules: it lengthens a value by a third, and a chain of them ' +
    'grows exponentially on every payment',
};

/** CEL's int is int64 (uint: 0 … 2⁶⁴−1; cel-js keeps ints as BigInt and checks results). */
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The bound on how many times a loop macro runs its body when its list is not a literal: a list
 * made at run time comes from a transaction field (`split`), whose strings are ≤ 128 characters.
 */
const RUNTIME_LIST_BOUND = 128;

/** Why compile refuses an expression beyond the type check: the message and where. */
interface Refusal {
  readonly message: string;
  readonly position: number;
}

/**
 * What compile refuses beyond the type check, and what the rule costs, found by a walk of the
 * parsed AST (the library has no visitor; its node shapes differ per operator, so the walk follows
 * every argument array). Refused: a `matches` call, a loop macro inside another (a rule runs on
 * every payment; nested loops over literal lists multiply), a call that can grow a value (GROWS),
 * an int literal outside int64. The cost is the number of nodes evaluated per payment at most: a
 * node inside a loop's body counts once per element of the loop's list (its literal length, else
 * RUNTIME_LIST_BOUND): what RULESET_COST_BUDGET bounds over a ruleset.
 */
function scan(root: unknown): { refused: Refusal | null; cost: number; nodes: number } {
  let refused: Refusal | null = null;
  const refuse = (message: string, position: number | undefined) => {
    refused ??= { message, position: position ?? 0 };
  };
  let cost = 0;
  let nodes = 0;
  // [value, loops around it, times it runs per evaluation, negated (the operand of unary minus)]
  const stack: [unknown, number, number, boolean][] = [[root, 0, 1, false]];
  while (stack.length > 0) {
    const [x, loops, times, negated] = stack.pop()!;
    if (Array.isArray(x)) {
      for (const y of x) stack.push([y, loops, times, false]);
      continue;
    }
    if (!isNode(x)) continue;
    cost += times;
    nodes += 1;
    const args = x.args;
    if (x.op === 'value' && typeof args === 'bigint') {
      // -9223372036854775808 parses as -(9223372036854775808): the one literal past INT64_MAX.
      if (args > INT64_MAX + (negated ? 1n : 0n)) {
        refuse('an int literal must be within int64 (−2⁶³ … 2⁶³−1)', x.pos);
      }
      continue;
    }
    if (x.op === '-_' && isNode(args)) {
      stack.push([args, loops, times, true]);
      continue;
    }
    if ((x.op === 'call' || x.op === 'rcall') && Array.isArray(args)) {
      const name = args[0] as string;
      if (name === 'matches') {
        refuse(
          'matches() is not available in rules: the library runs it with JavaScript regular ' +
            'expressions, which can take exponential time on some inputs, on every payment; use ' +
            'startsWith, endsWith, contains or a list',
          x.pos,
        );
      }
      const grows = GROWS[name];
      if (grows !== undefined) refuse(grows, x.pos);
      if (x.op === 'rcall' && LOOPS.has(name)) {
        if (loops > 0) {
          refuse(
            'a list macro (exists, all, exists_one, map, filter) inside another is not ' +
              'available in rules: its cost multiplies on every payment',
            x.pos,
          );
        }
        const receiver: unknown = args[1];
        const n =
          isNode(receiver) && receiver.op === 'list' && Array.isArray(receiver.args)
            ? receiver.args.length
            : RUNTIME_LIST_BOUND;
        stack.push([receiver, loops + 1, times, false]);
        stack.push([args[2], loops + 1, times * Math.max(n, 1), false]);
        continue;
      }
    }
    if (Array.isArray(args) || isNode(args)) stack.push([args, loops, times, false]);
  }
  return { refused, cost, nodes };
}

/**
 * The most a ruleset may cost: the nodes its active and shadow rules evaluate per payment at most
 * (scan's cost), plus the nodes of its disabled rules (checked at compile, never run).
 *
 * Why 8,000: the costliest nodes per evaluation are the library's (size(), method calls: ~50–65 ns
 * per node on the shared 2-core machine), and compile costs ~1–8 µs per node. Rulesets at exactly
 * 8,000 of the worst shapes (chains of `size(tx.customer_id) > 1`, of
 * `tx.customer_id.lowerAscii().contains("zz")`, of `tx.amount > 1.0`, each rule ≤ 4,000 chars)
 * evaluated in 0.04–0.52 ms per payment and compiled in 1.7–4.5 ms (best of 5; up to ~30 ms with
 * the machine loaded). A four-clause rule (a list, an amount, an hour, a velocity) costs 19: 200 of
 * them fit. Before this budget, 200 rules of 4,000 characters compiled in 230–370 ms and cost ~60 ms
 * per payment.
 */
export const RULESET_COST_BUDGET = 8_000;

function overBudget(cost: number): string {
  return (
    `the ruleset would exceed its budget: it costs ${cost} (expression nodes evaluated per ` +
    `payment), at most ${RULESET_COST_BUDGET} (docs/rules.md, "Limits"): shorten or delete rules`
  );
}

/** The library's error as message and position; anything else is not the library's and rethrown. */
function celError(e: unknown): ExpressionCheck & { ok: false } {
  if (e instanceof ParseError || e instanceof CelTypeError) {
    // `summary` is the message without the source excerpt the library appends for terminals.
    const message = e.summary || e.message.split('\n')[0] || e.name;
    return { ok: false, message: message + numberHint(message), position: e.range?.start ?? null };
  }
  throw e;
}

/** CEL keeps int and double apart for `==` and arithmetic: say how to write the number. */
const MIXED_NUMBERS = /no such overload: (?:double \S+ int|int \S+ double)\b/;

function numberHint(message: string): string {
  return MIXED_NUMBERS.test(message)
    ? ' (CEL does not mix int and double here: write the number as a double, e.g. 100.0)'
    : '';
}

/**
 * Check an expression as a rule: it parses, type-checks to bool in the rules' environment, and
 * its `in_list` calls name lists of `lists` with the transaction field of their kind.
 */
export function checkExpression(expression: string, lists: readonly ListRef[]): ExpressionCheck {
  const r = compileExpression(expression, lists);
  return r.ok ? { ok: true } : r;
}

/**
 * What one rule costs towards RULESET_COST_BUDGET (scan's cost if it runs, its nodes if disabled),
 * or null when it does not compile: what bench/ and the budget's tests measure against.
 */
export function ruleCost(rule: Pick<Rule, 'expression' | 'mode'>, lists: readonly ListRef[]) {
  const r = compileExpression(rule.expression, lists);
  if (!r.ok) return null;
  return rule.mode === 'disabled' ? r.nodes : r.cost;
}

/**
 * Compile a ruleset version: every rule is checked (disabled ones too, so a version that cannot
 * run is refused whole); active and shadow rules are kept, in order, to run. Any error → no
 * compiled ruleset: an edge never runs half a version.
 */
export function compileRuleset(ruleset: Ruleset, lists: readonly ListRef[]): CompileResult {
  const rules: CompiledRule[] = [];
  const errors: { id: string; message: string; position: number | null }[] = [];
  const asts: unknown[] = [];
  let cost = 0;
  for (const rule of ruleset.rules) {
    const r = compileExpression(rule.expression, lists);
    if (!r.ok) {
      errors.push({ id: rule.id, message: r.message, position: r.position });
      continue;
    }
    // Disabled rules are parsed and checked too: their nodes count towards the compile time.
    cost += rule.mode === 'disabled' ? r.nodes : r.cost;
    if (rule.mode !== 'disabled') rules.push(compiledRule(rule, r.program));
    if (rule.mode !== 'disabled') asts.push(r.program.ast);
  }
  if (errors.length === 0 && cost > RULESET_COST_BUDGET) {
    const last = ruleset.rules.at(-1);
    errors.push({ id: last?.id ?? '', message: overBudget(cost), position: null });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    compiled: {
      version: ruleset.version,
      rules,
      listKinds: referencedListKinds(asts),
      velocityStates: referencedVelocityStates(asts),
      views: { tx: new TxView(), features: new FeaturesView(), velocity: new VelocityView() },
    },
  };
}

function compiledRule(rule: Rule, program: Program): CompiledRule {
  return {
    id: rule.id,
    name: rule.name,
    action: rule.action,
    shadow: rule.mode === 'shadow',
    run: compileFast(program.ast) ?? program,
  };
}
