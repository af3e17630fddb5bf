/**
 * The CEL environment rules are written in (ARCHITECTURE.md, "Decision rules and lists"): `tx`,
 * `features`, `velocity`, `score`, `model_decision` and `in_list`. Built once per module: an
 * Environment is costly to build and cheap to use; every ruleset version is compiled against it.
 *
 * The library is @marcbachmann/cel-js (docs/dependencies.md, "CEL": smallest bundle and fastest
 * evaluation of the maintained CEL libraries that run in Workers; no eval, no new Function).
 */
import { Environment } from '@marcbachmann/cel-js';
import { FEATURE_NAMES } from '../features/feature-names.js';
import { VELOCITY_NAMES } from './velocity-names.js';
import type { Transaction } from '../schema/transaction.js';
import type { ListKind, ListRef } from './rules-contract.js';

/**
 * Key of the context member that holds the names of the lists the transaction's values are on.
 * Not a CEL identifier, so no expression can name it: only `in_list` reads it.
 */
export const LISTS_KEY = '@lists';

/**
 * The transaction's fields as rules see them: the API's transaction (its time is given apart, as
 * epoch seconds); an optional field that is `undefined` is absent (`has()` is false).
 */
export type RuleTransaction = Omit<Transaction, 'timestamp'>;

/** CEL ints are BigInts: the 24 hours made once, not per read. */
const HOURS = Array.from({ length: 24 }, (_, h) => BigInt(h));

/**
 * `tx` for CEL: a registered message type (so a misspelt field is a compile error, not a silent
 * false). One instance per compiled ruleset, re-pointed at each transaction: evaluation is
 * synchronous, so no two transactions share it at once, and the hot path allocates nothing.
 */
export class TxView {
  t: RuleTransaction = { transaction_id: '', customer_id: '', terminal_id: '', amount: 0 };
  hourOfDay = 0;
  get amount(): number {
    return this.t.amount;
  }
  get currency(): string | undefined {
    return this.t.currency;
  }
  get customer_id(): string {
    return this.t.customer_id;
  }
  get terminal_id(): string {
    return this.t.terminal_id;
  }
  get transaction_id(): string {
    return this.t.transaction_id;
  }
  get channel(): string | undefined {
    return this.t.channel;
  }
  get country(): string | undefined {
    return this.t.country;
  }
  get device_id(): string | undefined {
    return this.t.device_id;
  }
  get ip(): string | undefined {
    return this.t.ip;
  }
  get hour(): bigint {
    return HOURS[this.hourOfDay]!;
  }
}

/** A row of a Float64Array read by name, lazily: a rule reads two or three of 24 features. */
class RowView {
  row: ArrayLike<number> = new Float64Array(0);
  offset = 0;
}

/** Getters named after `names`, reading `row[offset + i]`: one prototype, built once. */
function defineRowGetters(cls: { prototype: RowView }, names: readonly string[]): void {
  names.forEach((name, i) => {
    Object.defineProperty(cls.prototype, name, {
      get(this: RowView) {
        return this.row[this.offset + i];
      },
    });
  });
}

/** `features` for CEL: every model feature by name (FEATURE_NAMES), as doubles. */
export class FeaturesView extends RowView {}
defineRowGetters(FeaturesView, FEATURE_NAMES);

/** `velocity` for CEL: the store's event-time counters by name (VELOCITY_NAMES), as doubles. */
export class VelocityView extends RowView {}
defineRowGetters(VelocityView, VELOCITY_NAMES);

/** The transaction field each list kind is checked against: `in_list`'s second argument. */
export const LIST_KIND_FIELD: Readonly<Record<ListKind, string>> = {
  customer_id: 'customer_id',
  terminal_id: 'terminal_id',
  device_id: 'device_id',
  ip: 'ip',
  country: 'country',
};

/**
 * The lists `in_list` is checked against while a ruleset compiles. The environment is built once,
 * but the lists change; compile.ts sets this around its synchronous type check (and clears it),
 * so the check sees exactly the lists it was given. Null outside a compile: `in_list` refuses.
 */
let compilingLists: readonly ListRef[] | null = null;

/** Run `check` with `lists` as the lists `in_list` may name. */
export function withLists<T>(lists: readonly ListRef[], check: () => T): T {
  compilingLists = lists;
  try {
    return check();
  } finally {
    compilingLists = null;
  }
}

/** A parsed CEL AST node, as far as in_list's check reads it. */
interface Node {
  readonly op: string;
  readonly args: unknown;
}

interface Checker {
  createError(code: string, message: string, node: unknown): Error;
  getType(name: string): unknown;
}

interface EvalContext {
  getValue(key: string): unknown;
}

/**
 * `in_list(name, tx.<field>)` as a macro: the store answers list membership for the
 * transaction's own values only (one round trip per transaction, whatever the list sizes), so
 * the first argument must be a string literal naming a known list and the second the `tx` field of
 * that list's kind; `in_list("blocked_customers", "c_1")` cannot be answered and is refused at
 * compile time. At run time the macro reads the store's answer and evaluates neither argument,
 * so an absent field (`tx.country` on a transaction without one) is simply not on the list.
 */
function inListMacro({ args }: { args: readonly Node[] }) {
  const [nameNode, valueNode] = args as [Node, Node];
  let listName = '';
  return {
    typeCheck(checker: Checker) {
      const lists = compilingLists;
      if (lists === null) {
        throw checker.createError('in_list', 'in_list is only known to compiled rules', nameNode);
      }
      if (nameNode.op !== 'value' || typeof nameNode.args !== 'string') {
        throw checker.createError(
          'in_list',
          'in_list: the first argument must be a string literal naming a list',
          nameNode,
        );
      }
      const list = lists.find((l) => l.name === nameNode.args);
      if (list === undefined) {
        throw checker.createError(
          'in_list',
          `in_list: unknown list "${nameNode.args}"` +
            (lists.length > 0 ? ` (lists: ${knownLists(lists)})` : ''),
          nameNode,
        );
      }
      const field = LIST_KIND_FIELD[list.kind];
      if (!isTxField(valueNode, field)) {
        throw checker.createError(
          'in_list',
          `in_list: list "${list.name}" holds ${list.kind} values; its second argument must be ` +
            `tx.${field} (lists are checked against the transaction's own values)`,
          valueNode,
        );
      }
      listName = list.name;
      return checker.getType('bool');
    },
    evaluate(_ev: unknown, _macro: unknown, ctx: EvalContext) {
      return (ctx.getValue(LISTS_KEY) as readonly string[]).includes(listName);
    },
  };
}

/** The list names an error offers, at most ten: the message stays one readable line. */
function knownLists(lists: readonly ListRef[]): string {
  const names = lists.slice(0, 10).map((l) => l.name);
  return names.join(', ') + (lists.length > 10 ? `, … ${lists.length - 10} more` : '');
}

/** True if `node` is the selection `tx.<field>`. */
function isTxField(node: Node, field: string): boolean {
  if (node.op !== '.') return false;
  const [target, name] = node.args as [Node, unknown];
  return name === field && target.op === 'id' && target.args === 'tx';
}

/**
 * Bounds on a parsed expression: rules are short (MAX_EXPRESSION_LENGTH) and run on every payment.
 * A literal list holds a handful of values (many values belong in a list: `in_list`); with loop
 * macros not nested (compile.ts), a rule's cost stays linear in its length.
 */
const LIMITS = { maxAstNodes: 1_000, maxDepth: 64, maxListElements: 100, maxMapEntries: 100 };

/**
 * Standard CEL with the rules' limits: what the conformance test runs (conformance.test.ts) and
 * what the rules' environment is built on, so both evaluate with the same library setup.
 *
 * Numbers are standard CEL: ordering across int and double works (`tx.amount > 100`), while `==`
 * and arithmetic need one type (`tx.amount == 100.0`, `tx.amount * 2.0`); compile.ts adds that hint
 * to the type error. Overloads for mixed `==` were tried and dropped: with a `dyn` operand (an
 * empty list's element, say) they make `x == 2` ambiguous, which standard CEL accepts.
 */
export function baseEnvironment(): Environment {
  // Mixed-type list and map literals are standard CEL (list(dyn)); cel-js refuses them by default.
  return new Environment({ limits: LIMITS, homogeneousAggregateLiterals: false });
}

const fields = (names: readonly string[], type: string) =>
  Object.fromEntries(names.map((name) => [name, type]));

/**
 * The CEL type of each field of the registered messages, by message type name: what the
 * environment declares and what fast-path.ts checks a read value against, as cel-js does.
 */
export const MESSAGE_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'vigil.Transaction': {
    amount: 'double',
    currency: 'string',
    customer_id: 'string',
    terminal_id: 'string',
    transaction_id: 'string',
    channel: 'string',
    country: 'string',
    device_id: 'string',
    ip: 'string',
    hour: 'int',
  },
  'vigil.Features': fields(FEATURE_NAMES, 'double'),
  'vigil.Velocity': fields(VELOCITY_NAMES, 'double'),
};

/** The rules' environment: built once; compile.ts parses every rule against it. */
export const ruleEnvironment: Environment = baseEnvironment()
  .registerType('vigil.Transaction', { ctor: TxView, fields: MESSAGE_FIELDS['vigil.Transaction']! })
  .registerType('vigil.Features', { ctor: FeaturesView, fields: MESSAGE_FIELDS['vigil.Features']! })
  .registerType('vigil.Velocity', { ctor: VelocityView, fields: MESSAGE_FIELDS['vigil.Velocity']! })
  .registerVariable('tx', 'vigil.Transaction', { description: 'the transaction being scored' })
  .registerVariable('features', 'vigil.Features', { description: "the model's features" })
  .registerVariable('velocity', 'vigil.Velocity', {
    description: 'event-time counters per device, IP and card',
  })
  .registerVariable('score', 'double', { description: "the model's fraud probability, 0 … 1" })
  .registerVariable('model_decision', 'string', {
    description: "the model's own decision: approve, review or decline",
  })
  .registerFunction('in_list(ast, ast): bool', inListMacro, {
    description: 'in_list("list", tx.<field>): the value is on the list and not expired',
  });
