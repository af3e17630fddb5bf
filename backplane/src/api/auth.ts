/**
 * Who may call the analysts' API (ARCHITECTURE.md): programs with a bearer key, browsers with a
 * signed `vigil_session` cookie. A cookie rides along on any request the browser makes, so a
 * state-changing request authenticated by it must also carry `X-Requested-With: vigil`, a header
 * a cross-site form cannot set and cross-site fetch cannot send without a CORS preflight that the
 * API never grants (SameSite=Strict is the first line; this is the second).
 */
import { constantTimeEqual, cookieValue, SESSION_COOKIE, verifySession } from '@vigil/core';
import type { Context, MiddlewareHandler } from 'hono';
import type { ApiEnv, Principal } from './api-env.js';
import { nodeHmacSha256 } from './hmac.js';
import { ProblemError } from '../http/problem.js';

export const CSRF_HEADER = 'X-Requested-With';
export const CSRF_VALUE = 'vigil';
/** The subject of requests made with a bearer key. */
export const BEARER_SUBJECT = 'api';

const CHALLENGE = 'Bearer realm="vigil"';
/** RFC 6750 b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AuthOptions {
  readonly apiKeys: readonly string[];
  readonly sessionSecret: string;
  readonly now: () => Date;
}

/** True when `presented` is one of `keys`; every key is compared in full, match or not. */
export function matchesAnyKey(presented: string, keys: readonly string[]): boolean {
  let matched = false;
  for (const k of keys) matched = constantTimeEqual(presented, k) || matched;
  return matched;
}

type Identified =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly reason: 'none' | 'bad-key' | 'bad-session' };

/** Who the request is from, without throwing: GET /api/session answers for anyone. */
export async function identify(c: Context, opts: AuthOptions): Promise<Identified> {
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const m = BEARER.exec(header);
    if (m && matchesAnyKey(m[1]!, opts.apiKeys)) {
      return { ok: true, principal: { subject: BEARER_SUBJECT, via: 'bearer' } };
    }
    return { ok: false, reason: 'bad-key' };
  }
  const token = cookieValue(c.req.header('cookie'), SESSION_COOKIE);
  if (token === null) return { ok: false, reason: 'none' };
  const nowS = opts.now().getTime() / 1000;
  const session = await verifySession(nodeHmacSha256, opts.sessionSecret, token, nowS);
  if (session === null) return { ok: false, reason: 'bad-session' };
  return { ok: true, principal: { subject: session.subject, via: 'session' } };
}

const DETAIL = {
  none: 'sign in (POST /api/session) or send Authorization: Bearer <API key>',
  'bad-key': 'the API key is not valid',
  'bad-session': 'the session has expired or is not valid: sign in again',
} as const;

/** Middleware: 401 unless a valid key or session; 403 for a cookie-authenticated write without the CSRF header. */
export function requireAuth(opts: AuthOptions): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const who = await identify(c, opts);
    if (!who.ok) {
      const challenge =
        who.reason === 'bad-key' ? `${CHALLENGE}, error="invalid_token"` : CHALLENGE;
      throw new ProblemError('unauthorized', DETAIL[who.reason], {
        headers: { 'www-authenticate': challenge },
      });
    }
    if (
      who.principal.via === 'session' &&
      !SAFE_METHODS.has(c.req.method) &&
      c.req.header(CSRF_HEADER) !== CSRF_VALUE
    ) {
      throw new ProblemError(
        'csrf',
        `requests that change state with a session cookie must send ${CSRF_HEADER}: ${CSRF_VALUE}`,
      );
    }
    c.set('principal', who.principal);
    await next();
  };
}
