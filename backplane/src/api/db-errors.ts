/**
 * Which database failures mean "Postgres is not there right now" (a 503 the caller retries)
 * rather than a bug: the `postgres` client's connection errors, the socket's, and the server's
 * SQLSTATEs for connection failure, shutdown and overload.
 */

/** postgres.js's own codes for a connection it could not make or lost. */
const CLIENT_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** SQLSTATEs: class 08 (connection exception), 57P01–57P03 (shutdown, cannot connect now), 53300 (too many connections). */
function unavailableSqlState(code: string): boolean {
  return code.startsWith('08') || /^57P0[123]$/.test(code) || code === '53300';
}

/** True when `error` (or its cause) says the database is unreachable or refusing work. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (CLIENT_CODES.has(code) || unavailableSqlState(code))) {
      return true;
    }
    // Node's AggregateError for a host with several addresses (IPv4 and IPv6 both refused).
    if (e instanceof AggregateError && e.errors.some((x) => isDatabaseUnavailable(x))) return true;
    e = e.cause;
  }
  return false;
}

/**
 * True when `error` (or its cause) is Postgres refusing a value: SQLSTATE class 22, "data
 * exception" (22007 bad datetime syntax, 22008 datetime out of range, 22003 numeric out of range,
 * 22P02 bad text representation, 22021 bad UTF-8, …). The API validates every parameter to what
 * the database holds, so this is a gap in that validation: bad input all the same, never a 5xx.
 */
export function isDatabaseValueRefused(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) return true;
    e = e.cause;
  }
  return false;
}
