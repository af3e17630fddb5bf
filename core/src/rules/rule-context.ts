/**
 * The context the rules of one transaction run with: applyRules builds it, and fast-path.test.ts
 * builds it the same way to compare the closures with the library. Internal to core/src/rules
 * (not exported by core's index).
 */
import type { RuleInput } from './apply-rules.js';
import type { CompiledRuleset } from './compile.js';
import type { RuleContext } from './fast-path.js';
import { LISTS_KEY } from './rule-env.js';
import { N_VELOCITY } from './velocity-names.js';

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
