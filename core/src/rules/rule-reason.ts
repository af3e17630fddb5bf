/**
 * The reason an answer gives when a rule decided: it names the rule in words, for the checkout's
 * logs and the analyst reading the transaction, beside the model's feature reasons.
 */
import type { RuleAction } from './rules-contract.js';

/** Reason codes of rules, by the action of the rule that decided. */
export const RULE_REASON_CODES: Readonly<Record<RuleAction, string>> = {
  allow: 'RULE_ALLOW',
  review: 'RULE_REVIEW',
  block: 'RULE_BLOCK',
};

const VERB: Readonly<Record<RuleAction, string>> = {
  allow: 'Approved by rule',
  review: 'Sent to review by rule',
  block: 'Blocked by rule',
};

/** A rule's reason as the answer carries it (core/src/api/score-answer.ts, ruleReasonSchema). */
export interface RuleReason {
  readonly code: string;
  readonly rule: string;
  readonly message: string;
  /** Rules add no log-odds: 0, so reasons stay comparable by contribution. */
  readonly contribution: 0;
}

/** The reason naming the rule that decided, e.g. `Blocked by rule “Card testing”`. */
export function ruleReason(rule: {
  readonly id: string;
  readonly name: string;
  readonly action: RuleAction;
}): RuleReason {
  return {
    code: RULE_REASON_CODES[rule.action],
    rule: rule.id,
    message: `${VERB[rule.action]} “${rule.name}”`,
    contribution: 0,
  };
}
