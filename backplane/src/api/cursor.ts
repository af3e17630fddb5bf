/**
 * Opaque keyset cursors: base64url of a small JSON array, tagged with the list it belongs to so a
 * cases cursor is refused by the transactions list. Sort keys that are timestamps travel as
 * Postgres's own text (microseconds kept): a JS Date would round them to milliseconds and a page
 * boundary inside one millisecond would skip or repeat rows.
 */
import { ProblemError } from '../http/problem.js';

export type CursorKind = 'tx' | 'case';

const MAX_CURSOR_LENGTH = 1_024;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?|Z)$/;

/** Encode a page's last sort key. */
export function encodeCursor(kind: CursorKind, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([kind, ...key]), 'utf8').toString('base64url');
}

function invalid(): never {
  throw new ProblemError('validation', 'cursor is not valid: pass next_cursor as it was given', {
    errors: [{ path: '/cursor', message: 'not a cursor of this list' }],
  });
}

/** Decode a cursor of `kind` whose key matches `shape` ('t' timestamp, 's' string, 'n' integer). */
export function decodeCursor(kind: CursorKind, cursor: string, shape: string): (string | number)[] {
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) invalid();
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    invalid();
  }
  if (!Array.isArray(v) || v.length !== shape.length + 1 || v[0] !== kind) invalid();
  const key = (v as unknown[]).slice(1);
  for (let i = 0; i < shape.length; i++) {
    const k = key[i];
    const ok =
      shape[i] === 'n'
        ? Number.isSafeInteger(k)
        : typeof k === 'string' &&
          k.length <= 256 &&
          !k.includes('\u0000') &&
          (shape[i] !== 't' || TIMESTAMP.test(k));
    if (!ok) invalid();
  }
  return key as (string | number)[];
}
