/**
 * Bearer API keys, compared in constant time: every configured key is compared in full, match or
 * not, and each comparison runs over the configured key's bytes whatever the presented key is, so
 * neither the presented key's content nor which key matched shows in the timing. (Only the
 * configured keys' lengths could: they are not secret, and loadConfig requires ≥ 16 characters.)
 * Synchronous on purpose: hashing with Web Crypto first costs far more per request on Node, where
 * crypto.subtle goes through the thread pool (docs/measurements.md).
 */
import type { MiddlewareHandler } from 'hono';
import type { EdgeEnv } from './app-context.js';
import { ProblemError } from './problem.js';

const encoder = new TextEncoder();

/** 1 when `presented` equals `key`, else 0; time depends on key.length only. */
function equalBytes(presented: Uint8Array, key: Uint8Array): number {
  let diff = presented.length ^ key.length;
  const n = presented.length;
  for (let i = 0; i < key.length; i++) diff |= key[i]! ^ (i < n ? presented[i]! : 0);
  return diff === 0 ? 1 : 0;
}

/** True when `presented` is one of `keys`, comparing against every key. */
export function matchesAnyKey(presented: string, keys: readonly Uint8Array[]): boolean {
  const p = encoder.encode(presented);
  let matched = 0;
  for (const k of keys) matched |= equalBytes(p, k);
  return matched === 1;
}

const CHALLENGE = 'Bearer realm="vigil"';
/** RFC 6750 b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Middleware: 401 problem+json unless `Authorization: Bearer <one of keys>`; paths in `open` pass
 * without a key.
 */
export function bearerAuth(
  keys: readonly string[],
  open: readonly string[] = [],
): MiddlewareHandler<EdgeEnv> {
  if (keys.length === 0) throw new Error('bearerAuth: no API keys configured');
  const encoded = keys.map((k) => encoder.encode(k));
  return async (c, next) => {
    if (open.includes(c.req.path)) return next();
    const header = c.req.header('authorization');
    if (header === undefined) {
      throw new ProblemError('unauthorized', 'send Authorization: Bearer <API key>', {
        headers: { 'www-authenticate': CHALLENGE },
      });
    }
    const m = BEARER.exec(header);
    if (!m || !matchesAnyKey(m[1]!, encoded)) {
      throw new ProblemError('unauthorized', 'the API key is not valid', {
        headers: { 'www-authenticate': `${CHALLENGE}, error="invalid_token"` },
      });
    }
    await next();
  };
}
