/**
 * The names a rule's CEL expression can use (ARCHITECTURE.md, "Decision rules and lists"), for the
 * editor's completion list, and the completion itself: the word before the caret, the names it
 * starts, and the text with one of them put in its place.
 */
import {
  FEATURE_NAMES,
  VELOCITY_NAMES,
  type ListKind,
  type ListRef,
  type RuleTransaction,
} from '@vigil/core';

/** One name the editor offers, with what it is. */
export interface RuleName {
  readonly name: string;
  readonly detail: string;
}

/** A field of `tx`: core's RuleTransaction and the hour of its time (core's rule-env.ts). */
export type TxField = keyof RuleTransaction | 'hour';

/** Whether `K` may be absent from a transaction, read from core's type. */
type IsOptional<K extends TxField> = K extends keyof RuleTransaction
  ? Record<never, never> extends Pick<RuleTransaction, K>
    ? true
    : false
  : false;

/** How the editor describes one field of `tx`: its CEL type, whether it may be absent, what it is. */
export interface TxFieldInfo<Optional extends boolean = boolean> {
  readonly type: 'double' | 'string' | 'int';
  readonly optional: Optional;
  readonly about?: string;
}

/**
 * Every field of `tx`. Core exports no runtime list of them, so the keys are held to core's type
 * instead: a field added to or dropped from RuleTransaction, or one whose optionality changes, is
 * a type error here; the CEL types are checked against core's checker (rule-names.test.ts).
 */
export const TX_FIELDS: { readonly [K in TxField]-?: TxFieldInfo<IsOptional<K>> } = {
  amount: { type: 'double', optional: false, about: 'the amount in the currency’s major unit' },
  currency: { type: 'string', optional: true, about: 'ISO 4217 code' },
  customer_id: { type: 'string', optional: false, about: 'the card' },
  terminal_id: { type: 'string', optional: false },
  transaction_id: { type: 'string', optional: false },
  channel: { type: 'string', optional: true },
  country: { type: 'string', optional: true, about: 'ISO 3166-1 alpha-2' },
  device_id: { type: 'string', optional: true },
  ip: { type: 'string', optional: true },
  hour: { type: 'int', optional: false, about: 'hour of the event time, UTC, 0–23' },
};

/**
 * A field's line in the editor. Reading an absent field is a run-time error (the rule does not
 * match and is counted), so an optional one says to test it with `has()` first.
 */
function txName([field, info]: [string, TxFieldInfo]): RuleName {
  const about = info.about ? `: ${info.about}` : '';
  const optional = info.optional ? ` · optional: test has(tx.${field}) first` : '';
  return { name: `tx.${field}`, detail: `${info.type}${about}${optional}` };
}

/** Every name an expression can use, lists' `in_list` calls included. */
export function ruleNames(lists: readonly ListRef[]): RuleName[] {
  return [
    ...Object.entries(TX_FIELDS).map(txName),
    ...FEATURE_NAMES.map((f) => ({ name: `features.${f}`, detail: 'double: model feature' })),
    { name: 'score', detail: 'double: the model’s fraud probability' },
    { name: 'model_decision', detail: 'string: approve, review or decline' },
    ...VELOCITY_NAMES.map((v) => ({ name: `velocity.${v}`, detail: 'double: event-time counter' })),
    ...lists.map((l) => ({
      name: `in_list("${l.name}", tx.${l.kind satisfies ListKind})`,
      detail: `bool: tx.${l.kind} is on ${l.name}`,
    })),
  ];
}

/** The word being typed before `caret`: identifiers joined by dots (`features.cust`). */
export function wordBefore(text: string, caret: number): { start: number; word: string } {
  const m = /[A-Za-z_][A-Za-z0-9_.]*$/.exec(text.slice(0, caret));
  return m ? { start: caret - m[0].length, word: m[0] } : { start: caret, word: '' };
}

/** The names that complete the word before `caret` (none for an empty word), at most `limit`. */
export function completionsAt(
  names: readonly RuleName[],
  text: string,
  caret: number,
  limit = 12,
): RuleName[] {
  const { word } = wordBefore(text, caret);
  if (!word) return [];
  return names.filter((n) => n.name.startsWith(word) && n.name !== word).slice(0, limit);
}

/** `text` with the word before `caret` replaced by `name`, and where the caret goes after it. */
export function complete(
  text: string,
  caret: number,
  name: string,
): { text: string; caret: number } {
  const { start } = wordBefore(text, caret);
  return { text: text.slice(0, start) + name + text.slice(caret), caret: start + name.length };
}
