import { expect, it } from 'vitest';
import { isPostgresJsClosedSocketWrite } from './postgres-js-crash.js';

function typeError(message: string, stack: string): TypeError {
  const e = new TypeError(message);
  e.stack = `TypeError: ${message}\n${stack}`;
  return e;
}

it('recognises postgres.js writing to a closed connection, and nothing else', () => {
  const frame =
    '    at Immediate.nextWrite (file:///app/node_modules/postgres/src/connection.js:255:22)';
  expect(
    isPostgresJsClosedSocketWrite(
      typeError("Cannot read properties of null (reading 'write')", frame),
    ),
  ).toBe(true);
  expect(
    isPostgresJsClosedSocketWrite(
      typeError(
        "Cannot read properties of null (reading 'write')",
        '    at nextWrite (/app/src/mine.js:1:1)',
      ),
    ),
  ).toBe(false);
  expect(isPostgresJsClosedSocketWrite(typeError('x is not a function', frame))).toBe(false);
  expect(isPostgresJsClosedSocketWrite(new Error("null (reading 'write') nextWrite"))).toBe(false);
});
