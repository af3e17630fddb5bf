/**
 * A rule's expression checked as the edges will compile it: core's rule engine (the one CEL
 * environment of ARCHITECTURE.md, and the one check — the dashboard's editor and the edges use the
 * same), against the lists that exist. A bad expression is a 400 naming `/expression`, with the
 * CEL message and where in the expression it is; so is a change that would take the ruleset past
 * core's budget (an edge would refuse that version and keep the old one).
 */
import { checkExpression, compileRuleset, type ListRef, type Rule } from '@vigil/core';
import { validationProblem } from '../../http/problem.js';

/** Throw a 400 unless `expression` type-checks to bool and names only lists that exist. */
export function assertExpression(expression: string, lists: readonly ListRef[]): void {
  const r = checkExpression(expression, lists);
  if (r.ok) return;
  const where = r.position === null ? '' : ` at position ${r.position}`;
  throw validationProblem([{ path: '/expression', message: `${r.message}${where}` }]);
}

/**
 * Throw a 400 naming `/expression` unless the next ruleset compiles as an edge will compile it:
 * each rule was checked on its own; this is the whole ruleset's budget (core's compileRuleset).
 */
export function assertRuleset(rules: readonly Rule[], lists: readonly ListRef[]): void {
  const r = compileRuleset({ version: 0, rules }, lists);
  if (r.ok) return;
  throw validationProblem(r.errors.map((e) => ({ path: '/expression', message: e.message })));
}
