/**
 * The names a rule's CEL expression can use (ARCHITECTURE.md, "Decision rules and lists"), for the
 * editor's completion list, and the completion itself: the word before the caret, the names it
 * starts, and the text with one of them put in its place.
 */
import { FEATURE_NAMES, VELOCITY_NAMES, type ListKind, type ListRef } from '@vigil/core';

/** One name the editor offers, with what it is. */
export interface RuleName {
  readonly name: string;
  readonly detail: string;
}

const TX_FIELDS: readonly RuleName[] = [
  { name: 'tx.amount', detail: 'double: the amount in the currency’s major unit' },
  { name: 'tx.currency', detail: 'string' },
  { name: 'tx.customer_id', detail: 'string: the card' },
  { name: 'tx.terminal_id', detail: 'string' },
  { name: 'tx.transaction_id', detail: 'string' },
  { name: 'tx.channel', detail: 'string, optional: test with has(tx.channel)' },
  { name: 'tx.country', detail: 'string, optional: test with has(tx.country)' },
  { name: 'tx.device_id', detail: 'string, optional: test with has(tx.device_id)' },
  { name: 'tx.ip', detail: 'string, optional: test with has(tx.ip)' },
  { name: 'tx.hour', detail: 'int: hour of the event time, UTC, 0–23' },
];

/** Every name an expression can use, lists' `in_list` calls included. */
export function ruleNames(lists: readonly ListRef[]): RuleName[] {
  return [
    ...TX_FIELDS,
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
