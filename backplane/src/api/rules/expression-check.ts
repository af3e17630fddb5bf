/**
 * A rule's expression checked as the edges will compile it: core's rule engine (the one CEL
 * environment of ARCHITECTURE.md, and the one check — the dashboard's editor and the edges use the
 * same), against the lists that exist. A bad expression is a 400 naming `/expression`, with the
 * CEL message and where in the expression it is.
 */
import { checkExpression, type ListRef } from '@vigil/core';
import { validationProblem } from '../../http/problem.js';

/** Throw a 400 unless `expression` type-checks to bool and names only lists that exist. */
export function assertExpression(expression: string, lists: readonly ListRef[]): void {
  const r = checkExpression(expression, lists);
  if (r.ok) return;
  const where = r.position === null ? '' : ` at position ${r.position}`;
  throw validationProblem([{ path: '/expression', message: `${r.message}${where}` }]);
}
