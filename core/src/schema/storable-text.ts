/**
 * Text every store downstream can hold. PostgreSQL's text (and json, once read) cannot hold U+0000,
 * and its JSON parser refuses a lone UTF-16 surrogate (`\ud800` with no partner) — in one event
 * of a batch, that fails the whole batch's statement. Any free-text string in an event is checked
 * with this before it leaves the edge or enters Kafka.
 */
import * as z from 'zod/mini';

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
// (String.prototype.isWellFormed is ES2024; core targets ES2022.)
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True if `s` has no NUL character and no lone surrogate. */
export function isStorableText(s: string): boolean {
  return !s.includes('\u0000') && !LONE_SURROGATE.test(s);
}

/** A check for a string field: the message names it. */
export const storableText = (what: string) =>
  z.refine<string>(isStorableText, {
    message: `${what} must not contain NUL characters or unpaired UTF-16 surrogates`,
  });

/** A free-text field of `min`–`max` characters that Postgres can hold; the messages name it. */
export const storableString = (what: string, min: number, max: number) =>
  z
    .string(`${what} must be a string`)
    .check(
      z.minLength(min, `${what} must not be empty`),
      z.maxLength(max, `${what} must be at most ${max} characters`),
      storableText(what),
    );
