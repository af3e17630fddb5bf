/**
 * The context the rules of one transaction run with: applyRules builds it, and fast-path.test.ts
 * builds it the same way to compare the closures with the library. Internal to core/src/rules
 * (not exported by core's index).
 */
import type { CompiledRuleset } from './compile.js';
import type { RuleContext } from './fast-path.js';
import type { Decision } from '../policy/decision.js';
import { LISTS_KEY, type RuleTransaction } from './rule-env.js';
import { N_VELOCITY } from './velocity-names.js';

/** What the rules see of one transaction. */
export interface RuleInput {
  /** The API's transaction fields. */
  readonly tx: RuleTransaction;
  /** Event time, epoch seconds (`tx.hour` is its UTC hour). */
  readonly timeSec: number;
  /** The feature vector, FEATURE_NAMES order, at `featuresOffset` (a batch's shared buffer). */
  readonly features: ArrayLike<number>;
  readonly featuresOffset?: number;
  /** The model's fraud probability and its own decision. */
  readonly score: number;
  readonly modelDecision: Decision;
  /** Names of the lists the transaction's values are on (the store's answer). */
  readonly lists: readonly string[];
  /** The store's velocity counters, VELOCITY_NAMES order; absent → zeros. */
  readonly velocity?: ArrayLike<number> | undefined;
}

const NO_VELOCITY = new Float64Array(N_VELOCITY);
const SECONDS_PER_DAY = 86_400;

/**
 * The context every rule of one transaction runs with (the library's programs and fast-path.ts's
 * closures alike): the compiled ruleset's views re-pointed at `input`, not rebuilt.
 */
export function ruleContext(compiled: CompiledRuleset, input: RuleInput): RuleContext {
  const { tx, features, velocity } = compiled.views;
  tx.t = input.tx;
  const secOfDay = ((input.timeSec % SECONDS_PER_DAY) + SECONDS_PER_DAY) % SECONDS_PER_DAY;
  tx.hourOfDay = Math.floor(secOfDay / 3_600);
  features.row = input.features;
  features.offset = input.featuresOffset ?? 0;
  velocity.row = input.velocity ?? NO_VELOCITY;
  velocity.offset = 0;
  return {
    tx,
    features,
    velocity,
    score: input.score,
    model_decision: input.modelDecision,
    [LISTS_KEY]: input.lists,
  };
}
