/**
 * Opaque keyset cursors: base64url of a small JSON array, tagged with the list it belongs to so a
 * cases cursor is refused by the transactions list. Sort keys that are timestamps travel as
 * Postgres's own text (microseconds kept): a JS Date would round them to milliseconds and a page
 * boundary inside one millisecond would skip or repeat rows.
 */
import { ProblemError } from '../http/problem.js';
import { cursorTimeIsStorable } from './storable-time.js';

export type CursorKind = 'tx' | 'case' | 'audit' | 'item' | 'version';

const MAX_CURSOR_LENGTH = 1_024;
/** The ids a key may hold (transaction and case ids): no NUL, no lone surrogate, no space. */
const KEY_ID = /^[A-Za-z0-9._:-]{1,200}$/;
/** Integer keys are compared with int4 columns: a larger one would be a database error. */
const INT4_MIN = -(2 ** 31);
const INT4_MAX = 2 ** 31 - 1;

/** Encode a page's last sort key. */
export function encodeCursor(kind: CursorKind, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([kind, ...key]), 'utf8').toString('base64url');
}

function invalid(): never {
  throw new ProblemError('validation', 'cursor is not valid: pass next_cursor as it was given', {
    errors: [{ path: '/cursor', message: 'not a cursor of this list' }],
  });
}

/**
 * Decode a cursor of `kind` whose key matches `shape` ('t' timestamp, 's' id, 'n' int4, 'f' a
 * finite float8, which JSON carries exactly: the shortest text that reads back as the same double). A cursor
 * is input like any other: each key is held to what Postgres can compare it with, so a doctored
 * one (a month 13, an offset +99:99, a rank past int4) is a 400, not a database error.
 */
export function decodeCursor(kind: CursorKind, cursor: string, shape: string): (string | number)[] {
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) invalid();
  const bytes = Buffer.from(cursor, 'base64url');
  // Node's decoder ignores what it cannot use (a lone last character): only the cursor's own
  // encoding is one, so junk appended to a next_cursor is refused, not read as that cursor.
  if (bytes.toString('base64url') !== cursor) invalid();
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch {
    invalid();
  }
  if (!Array.isArray(v) || v.length !== shape.length + 1 || v[0] !== kind) invalid();
  const key = (v as unknown[]).slice(1);
  for (let i = 0; i < shape.length; i++) {
    const k = key[i];
    const ok =
      shape[i] === 'n'
        ? Number.isInteger(k) && (k as number) >= INT4_MIN && (k as number) <= INT4_MAX
        : shape[i] === 'f'
          ? typeof k === 'number' && Number.isFinite(k)
          : typeof k === 'string' && (shape[i] === 't' ? cursorTimeIsStorable(k) : KEY_ID.test(k));
    if (!ok) invalid();
  }
  return key as (string | number)[];
}
