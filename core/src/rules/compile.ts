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
): { ok: true; program: Program } | (ExpressionCheck & { ok: false }) {
  let program: Program;
  try {
    program = ruleEnvironment.parse(expression);
  } catch (e) {
    return celError(e);
  }
  const found = scan(program.ast);
  if (found.matches !== null) {
    return {
      ok: false,
      message:
        'matches() is not available in rules: the library runs it with JavaScript regular ' +
        'expressions, which can take exponential time on some inputs, on every payment; use ' +
        'startsWith, endsWith, contains or a list',
      position: found.matches,
    };
  }
  if (found.nestedLoop !== null) {
    return {
      ok: false,
      message:
        'a list macro (exists, all, exists_one, map, filter) inside another is not available in ' +
        'rules: its cost multiplies on every payment',
      position: found.nestedLoop,
    };
  }
  const checked = withLists(lists, () => program.check());
  if (!checked.valid) return celError(checked.error);
  if (checked.type !== 'bool') {
    return {
      ok: false,
      message: `a rule must be true or false (bool); this expression is ${checked.type ?? 'not'}`,
      position: 0,
    };
  }
  return { ok: true, program };
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
 * What compile refuses beyond the type check, found by a walk of the parsed AST (the library has
 * no visitor; its node shapes differ per operator, so the walk follows every argument array): the
 * first `matches` call, and the first loop macro inside another (a rule runs on every payment;
 * nested loops over literal lists multiply).
 */
function scan(root: unknown): { matches: number | null; nestedLoop: number | null } {
  let matches: number | null = null;
  let nestedLoop: number | null = null;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [x, loops] = stack.pop()!;
    if (Array.isArray(x)) {
      for (const y of x) stack.push([y, loops]);
      continue;
    }
    if (!isNode(x)) continue;
    const args = x.args;
    let inner = loops;
    if ((x.op === 'call' || x.op === 'rcall') && Array.isArray(args)) {
      if (args[0] === 'matches') matches ??= x.pos ?? 0;
      if (x.op === 'rcall' && LOOPS.has(args[0] as string)) {
        if (loops > 0) nestedLoop ??= x.pos ?? 0;
        inner = loops + 1;
      }
    }
    if (Array.isArray(args) || isNode(args)) stack.push([args, inner]);
  }
  return { matches, nestedLoop };
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
 * Compile a ruleset version: every rule is checked (disabled ones too, so a version that cannot
 * run is refused whole); active and shadow rules are kept, in order, to run. Any error → no
 * compiled ruleset: an edge never runs half a version.
 */
export function compileRuleset(ruleset: Ruleset, lists: readonly ListRef[]): CompileResult {
  const rules: CompiledRule[] = [];
  const errors: { id: string; message: string; position: number | null }[] = [];
  const asts: unknown[] = [];
  for (const rule of ruleset.rules) {
    const r = compileExpression(rule.expression, lists);
    if (!r.ok) {
      errors.push({ id: rule.id, message: r.message, position: r.position });
      continue;
    }
    if (rule.mode !== 'disabled') rules.push(compiledRule(rule, r.program));
    if (rule.mode !== 'disabled') asts.push(r.program.ast);
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    compiled: {
      version: ruleset.version,
      rules,
      listKinds: referencedListKinds(asts),
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
