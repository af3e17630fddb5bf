/**
 * The list kinds a compiled ruleset reads: the feature store's step reads a value's list hash only
 * for these kinds (a Redis command per value and transaction otherwise, for lists no rule asks
 * about). Found once per ruleset version by a walk of the parsed expressions: compile's type check
 * has already made every `in_list` call name a known list literally, with `tx.<field of its kind>`
 * as the second argument, so the field names the kind.
 */
import { LIST_KINDS, type ListKind } from './rules-contract.js';
import { LIST_KIND_FIELD } from './rule-env.js';

const KIND_OF_FIELD: ReadonlyMap<string, ListKind> = new Map(
  LIST_KINDS.map((k) => [LIST_KIND_FIELD[k], k]),
);

/** A node of the library's AST, as these walks read it. */
export interface AstNode {
  readonly op: string;
  readonly args: unknown;
}

export const isAstNode = (x: unknown): x is AstNode =>
  typeof x === 'object' && x !== null && 'op' in x && 'args' in x;

/** Every node of these parsed expressions (the library's ASTs), each once, in no fixed order. */
export function* astNodes(asts: readonly unknown[]): Generator<AstNode> {
  const stack: unknown[] = [...asts];
  while (stack.length > 0) {
    const x = stack.pop();
    if (Array.isArray(x)) {
      for (const y of x) stack.push(y);
      continue;
    }
    if (!isAstNode(x)) continue;
    yield x;
    if (Array.isArray(x.args) || isAstNode(x.args)) stack.push(x.args);
  }
}

/**
 * The kinds of the lists the `in_list` calls of these parsed expressions (the library's ASTs) read,
 * in LIST_KINDS order. A call whose kind cannot be told (compile refuses such a rule, so only a
 * change of the library's AST could cause it) yields every kind: reading too much is only slower.
 */
export function referencedListKinds(asts: readonly unknown[]): readonly ListKind[] {
  const found = new Set<ListKind>();
  for (const x of astNodes(asts)) {
    if (x.op === 'call' && Array.isArray(x.args) && x.args[0] === 'in_list') {
      const kind = kindOfArgument((x.args[1] as unknown[] | undefined)?.[1]);
      if (kind === undefined) return LIST_KINDS;
      found.add(kind);
    }
  }
  return LIST_KINDS.filter((k) => found.has(k));
}

/** The list kind of in_list's second argument `tx.<field>`, or undefined. */
function kindOfArgument(node: unknown): ListKind | undefined {
  if (!isAstNode(node) || node.op !== '.' || !Array.isArray(node.args)) return undefined;
  const [target, field] = node.args as [unknown, unknown];
  if (!isAstNode(target) || target.op !== 'id' || target.args !== 'tx') return undefined;
  return typeof field === 'string' ? KIND_OF_FIELD.get(field) : undefined;
}
