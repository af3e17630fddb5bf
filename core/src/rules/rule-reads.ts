/**
 * What a set of rules reads of a transaction, found by a walk of their parsed expressions (as
 * list-kinds.ts and velocity-states.ts do for the feature store): the backtest reads from Postgres
 * only these columns, features and lists, and recomputes velocity only when a rule reads it.
 * Whenever a name is used in a shape the walk does not read (the map itself, an index), the
 * answer is "all of it": reading too much is only slower, too little would change what matches.
 */
import { FEATURE_NAMES, type FeatureName } from '../features/feature-names.js';
import { astNodes, isAstNode } from './list-kinds.js';
import { ruleEnvironment } from './rule-env.js';
import type { VelocityStateKind } from './velocity-names.js';
import { referencedVelocityStates } from './velocity-states.js';

/** The optional and identifying transaction fields a rule can read as `tx.<field>`. */
export const RULE_TX_FIELDS = [
  'transaction_id',
  'customer_id',
  'terminal_id',
  'amount',
  'currency',
  'channel',
  'country',
  'device_id',
  'ip',
  'hour',
] as const;
export type RuleTxField = (typeof RULE_TX_FIELDS)[number];

export interface RuleReads {
  /** `tx.<field>` read, in RULE_TX_FIELDS order. */
  readonly tx: readonly RuleTxField[];
  /** `features.<name>` read, in FEATURE_NAMES order. */
  readonly features: readonly FeatureName[];
  /** Names of the lists `in_list` calls name (literally, as compile requires), sorted. */
  readonly lists: readonly string[];
  /** The velocity states read (velocity-states.ts); [] when no rule reads `velocity`. */
  readonly velocity: readonly VelocityStateKind[];
  /** Whether any rule reads `model_decision`. */
  readonly modelDecision: boolean;
}

const TX_FIELDS: ReadonlySet<string> = new Set(RULE_TX_FIELDS);
const FEATURES: ReadonlySet<string> = new Set(FEATURE_NAMES);

const isId = (x: unknown, name: string): boolean =>
  isAstNode(x) && x.op === 'id' && x.args === name;

/**
 * What these expressions read. Each must be one that compiles (checkExpression): a parse error
 * here is thrown.
 */
export function ruleReads(expressions: readonly string[]): RuleReads {
  const asts = expressions.map((e) => ruleEnvironment.parse(e).ast as unknown);
  const tx = new Set<string>();
  const features = new Set<string>();
  const lists = new Set<string>();
  let allTx = false;
  let allFeatures = false;
  let modelDecision = false;
  // Every `tx` and `features` must be the target of a selection read here, else all are read.
  const uses = { tx: 0, features: 0 };
  const selections = { tx: 0, features: 0 };
  for (const x of astNodes(asts)) {
    if (isId(x, 'tx')) uses.tx++;
    if (isId(x, 'features')) uses.features++;
    if (isId(x, 'model_decision')) modelDecision = true;
    if (x.op === 'call' && Array.isArray(x.args) && x.args[0] === 'in_list') {
      const first: unknown = (x.args[1] as unknown[] | undefined)?.[0];
      if (isAstNode(first) && first.op === 'value' && typeof first.args === 'string') {
        lists.add(first.args);
      }
    }
    if (x.op !== '.' || !Array.isArray(x.args)) continue;
    const [target, field] = x.args as [unknown, unknown];
    if (isId(target, 'tx')) {
      selections.tx++;
      if (typeof field === 'string' && TX_FIELDS.has(field)) tx.add(field);
      else allTx = true;
    } else if (isId(target, 'features')) {
      selections.features++;
      if (typeof field === 'string' && FEATURES.has(field)) features.add(field);
      else allFeatures = true;
    }
  }
  if (uses.tx !== selections.tx) allTx = true;
  if (uses.features !== selections.features) allFeatures = true;
  return {
    tx: RULE_TX_FIELDS.filter((f) => allTx || tx.has(f)),
    features: FEATURE_NAMES.filter((f) => allFeatures || features.has(f)),
    lists: [...lists].sort(),
    velocity: referencedVelocityStates(asts),
    modelDecision,
  };
}
