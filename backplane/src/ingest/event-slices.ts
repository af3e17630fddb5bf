/**
 * The bytes of each event in an ingest body, as the edge sent them, so that the ingest produces
 * exactly what it validated without serializing every event again: `JSON.stringify` of each event
 * cost about as much CPU as parsing the whole body, and kafkajs encodes bytes more cheaply than
 * strings (docs/measurements.md has the share of the backplane's CPU per event).
 *
 * Only the plainest body is split: `{"events":[{…},{…},…]}` (any JSON whitespace), valid UTF-8,
 * with one top-level member spelled exactly `"events"` and as many objects in it as the validator
 * returned. The text of an array element parses to the same value wherever it stands, so each slice
 * is the event that core's schemas accepted (they only check, never transform). Anything else —
 * escapes in the member name, a second member, a byte-order mark, invalid UTF-8 — returns null, and
 * the producer serializes the validated events instead. So does a number written with more than 32
 * characters or an exponent beyond ±290, which JSON.parse would round (to 0, say) but Postgres
 * would read differently or refuse as out of range: every other literal reads as the same double.
 */
import { isUtf8 } from 'node:buffer';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
/** `"events"` as bytes. */
const EVENTS_KEY = Buffer.from('"events"');
/** Longest number literal taken as it is; its exponent must lie within ±MAX_EXPONENT. */
const MAX_NUMBER_CHARS = 32;
const MAX_EXPONENT = 290;

const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

function skipSpace(s: Buffer, i: number): number {
  while (i < s.length && isSpace(s[i]!)) i++;
  return i;
}

/** The index after the string that opens at `i` (a quote), or -1 if it does not close. */
function skipString(s: Buffer, i: number): number {
  for (;;) {
    // The next quote, found natively; it ends the string unless an odd run of backslashes escapes it.
    const q = s.indexOf(QUOTE, i + 1);
    if (q < 0) return -1;
    let backslashes = 0;
    while (s[q - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    i = q;
  }
}

/** The index after the number that starts at `i`, or -1 if it is not one to take as it is. */
function skipNumber(s: Buffer, i: number): number {
  const start = i;
  let exponentAt = -1;
  for (; i < s.length; i++) {
    const b = s[i]!;
    if (b === LOWER_E || b === UPPER_E) exponentAt = i;
    else if (!((b >= ZERO && b <= NINE) || b === MINUS || b === PLUS || b === DOT)) break;
  }
  if (i - start > MAX_NUMBER_CHARS) return -1;
  if (exponentAt >= 0) {
    let exponent = 0;
    for (let j = exponentAt + 1; j < i; j++) {
      const b = s[j]!;
      if (b >= ZERO && b <= NINE) exponent = exponent * 10 + (b - ZERO);
    }
    if (exponent > MAX_EXPONENT) return -1;
  }
  return i;
}

/** The index after the object that opens at `i`, or -1. */
function skipObject(s: Buffer, i: number): number {
  let depth = 0;
  while (i < s.length) {
    const b = s[i]!;
    if (b === QUOTE) {
      i = skipString(s, i);
      if (i < 0) return -1;
      continue;
    }
    if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
    else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      if (--depth === 0) return i + 1;
    } else if (b === MINUS || (b >= ZERO && b <= NINE)) {
      i = skipNumber(s, i);
      if (i < 0) return -1;
      continue;
    }
    i++;
  }
  return -1;
}

/**
 * The UTF-8 bytes of each element of the body's `events` array (views into `body`, not copies), or
 * null when the body is not the plain shape above or does not hold exactly `count` objects.
 */
export function eventSlices(bytes: Uint8Array, count: number): Buffer[] | null {
  if (!isUtf8(bytes)) return null;
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = skipSpace(body, 0);
  if (body[i] !== OPEN_BRACE) return null;
  i = skipSpace(body, i + 1);
  for (let k = 0; k < EVENTS_KEY.length; k++) if (body[i + k] !== EVENTS_KEY[k]) return null;
  i = skipSpace(body, i + EVENTS_KEY.length);
  if (body[i] !== COLON) return null;
  i = skipSpace(body, i + 1);
  if (body[i] !== OPEN_BRACKET) return null;
  i = skipSpace(body, i + 1);
  const slices: Buffer[] = [];
  if (body[i] !== CLOSE_BRACKET) {
    for (;;) {
      if (body[i] !== OPEN_BRACE) return null;
      const end = skipObject(body, i);
      if (end < 0) return null;
      slices.push(body.subarray(i, end));
      i = skipSpace(body, end);
      if (body[i] === CLOSE_BRACKET) break;
      if (body[i] !== COMMA) return null;
      i = skipSpace(body, i + 1);
    }
  }
  i = skipSpace(body, i + 1);
  if (body[i] !== CLOSE_BRACE) return null;
  if (skipSpace(body, i + 1) !== body.length) return null;
  return slices.length === count ? slices : null;
}
