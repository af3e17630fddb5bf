/**
 * Running a compiled ruleset on one transaction, with the outcome precedence of ARCHITECTURE.md
 * ("Decision rules and lists"): a matching active allow → approve; else a matching active block →
 * decline; else the more severe of the model's decision and review (if an active review rule
 * matched). Shadow rules run and are recorded, never acting. A rule that fails at run time (or
 * returns something other than a bool) is not matched and is reported in `errors`; it never
 * fails the request.
 */
import type { Decision } from '../policy/decision.js';
import type { CompiledRuleset } from './compile.js';
import { ruleContext, type RuleInput } from './rule-context.js';
import type { RuleAction } from './rules-contract.js';

export type { RuleInput } from './rule-context.js';

/** An active rule that matched, as the answer and the decision event carry it. */
export interface RuleHit {
  readonly id: string;
  readonly action: RuleAction;
}

export interface RulesOutcome {
  /** The decision after the rules. */
  readonly decision: Decision;
  /** The active rules that matched, in ruleset order. */
  readonly rules: readonly RuleHit[];
  /** Ids of the shadow rules that matched, in ruleset order. */
  readonly shadowRules: readonly string[];
  /**
   * The rule that decided: the first matching active allow, else block, else review when the
   * model's own decision is not more severe. Null when the model's decision stands.
   */
  readonly decidingRule: {
    readonly id: string;
    readonly name: string;
    readonly action: RuleAction;
  } | null;
  /** Ids of the rules that failed at run time (counted, not matched). */
  readonly errors: readonly string[];
}

const NONE: readonly never[] = Object.freeze([]);

/** Severity order of decisions: the outcome is never milder than the model's. */
const SEVERITY: Readonly<Record<Decision, number>> = { approve: 0, review: 1, decline: 2 };

/**
 * The decision after the rules by the precedence above, given which kinds of active rule matched:
 * the edge (applyRules) and every replay of stored decisions under other thresholds use this one.
 */
export function decisionAfterRules(
  model: Decision,
  allow: boolean,
  block: boolean,
  review: boolean,
): Decision {
  if (allow) return 'approve';
  if (block) return 'decline';
  if (review && SEVERITY[model] <= SEVERITY.review) return 'review';
  return model;
}

/** The outcome of the rules for one transaction. Never throws for a rule's failure. */
export function applyRules(compiled: CompiledRuleset, input: RuleInput): RulesOutcome {
  const rules = compiled.rules;
  if (rules.length === 0) {
    return {
      decision: input.modelDecision,
      rules: NONE,
      shadowRules: NONE,
      decidingRule: null,
      errors: NONE,
    };
  }
  const context = ruleContext(compiled, input);

  let hits: RuleHit[] | undefined;
  let shadow: string[] | undefined;
  let errors: string[] | undefined;
  let allow = -1;
  let block = -1;
  let review = -1;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    let v: unknown;
    try {
      v = rule.run(context);
    } catch {
      (errors ??= []).push(rule.id);
      continue;
    }
    if (v !== true) {
      if (v !== false) (errors ??= []).push(rule.id);
      continue;
    }
    if (rule.shadow) {
      (shadow ??= []).push(rule.id);
      continue;
    }
    (hits ??= []).push({ id: rule.id, action: rule.action });
    if (rule.action === 'allow') {
      if (allow < 0) allow = i;
    } else if (rule.action === 'block') {
      if (block < 0) block = i;
    } else if (review < 0) review = i;
  }

  const model = input.modelDecision;
  const decision = decisionAfterRules(model, allow >= 0, block >= 0, review >= 0);
  // The rule that decided: as decisionAfterRules picks, a review rule only when it was not milder.
  const deciding =
    allow >= 0 ? allow : block >= 0 ? block : SEVERITY[model] <= SEVERITY.review ? review : -1;
  const d = deciding >= 0 ? rules[deciding]! : null;
  return {
    decision,
    rules: hits ?? NONE,
    shadowRules: shadow ?? NONE,
    decidingRule: d === null ? null : { id: d.id, name: d.name, action: d.action },
    errors: errors ?? NONE,
  };
}
