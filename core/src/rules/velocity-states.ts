/**
 * The velocity states a compiled ruleset reads: the feature store's step keeps (reads and
 * writes) only these (a Redis read, a scan and a write per state and transaction otherwise, for
 * counters no rule asks about). Found once per ruleset version by a walk of the parsed
 * expressions, as list-kinds.ts does for lists: a counter is read as `velocity.<name>`, and the
 * name's prefix says its state.
 */
import { astNodes, isAstNode } from './list-kinds.js';
import {
  VELOCITY_NAMES,
  VELOCITY_STATES,
  velocityStateOf,
  type VelocityName,
  type VelocityStateKind,
} from './velocity-names.js';

const STATE_OF_NAME: ReadonlyMap<string, VelocityStateKind> = new Map(
  VELOCITY_NAMES.map((n: VelocityName) => [n, velocityStateOf(n)]),
);

const isVelocity = (x: unknown): boolean => isAstNode(x) && x.op === 'id' && x.args === 'velocity';

/**
 * The velocity states the `velocity.<name>` selections of these parsed expressions (the library's
 * ASTs) read, in VELOCITY_STATES order. `velocity` used in any other shape (an index, a `has`
 * test, the map itself) yields every state: reading too much is only slower, too little would
 * leave a rule's counters at 0.
 */
export function referencedVelocityStates(asts: readonly unknown[]): readonly VelocityStateKind[] {
  const found = new Set<VelocityStateKind>();
  // Every `velocity` must be the target of a selection read here, else a shape not read.
  let uses = 0;
  let selections = 0;
  for (const x of astNodes(asts)) {
    if (isVelocity(x)) uses++;
    if (x.op !== '.' || !Array.isArray(x.args) || !isVelocity(x.args[0])) continue;
    const field: unknown = x.args[1];
    const state = typeof field === 'string' ? STATE_OF_NAME.get(field) : undefined;
    if (state === undefined) return VELOCITY_STATES;
    found.add(state);
    selections++;
  }
  if (uses !== selections) return VELOCITY_STATES;
  return VELOCITY_STATES.filter((s) => found.has(s));
}
