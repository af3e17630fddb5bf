/**
 * postgres.js 3.4.9 can throw from a setImmediate callback when a connection closed while a small
 * write was pending (porsager/postgres#1154, #1208, unfixed upstream): a TypeError no caller can
 * catch, which would end the process when Postgres restarts. main.ts recognises exactly that error
 * and keeps running; the consumer's write then fails or times out and is retried, as for any lost
 * connection. Every other uncaught exception still ends the process.
 */

/** Whether `error` is postgres.js writing to a connection that has already closed. */
export function isPostgresJsClosedSocketWrite(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  const stack = error.stack ?? '';
  return (
    /null \(reading 'write'\)/.test(error.message) &&
    /nextWrite/.test(stack) &&
    /postgres[\\/]src[\\/]connection\.js/.test(stack)
  );
}
