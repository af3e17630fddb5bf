/**
 * Who may open `/v1/live`: a program with `Authorization: Bearer <key>` (VIGIL_ANALYST_KEYS where
 * set, else VIGIL_API_KEYS), or a browser with a valid `vigil_session` cookie (core's
 * verifySession with VIGIL_SESSION_SECRET) — browsers cannot set headers on a WebSocket, so the
 * cookie is their path. A cookie is only taken from a page of the same origin (or one of
 * VIGIL_CORS_ORIGINS): a browser sends cookies on cross-site WebSocket handshakes too, and
 * without this check any site could read the feed of a signed-in analyst.
 */
import { cookieValue, SESSION_COOKIE, verifySession, type HmacSha256 } from '@vigil/core';
import { matchesAnyKey } from '../../app/bearer-auth.js';
import { ProblemError } from '../../app/problem.js';

export interface LiveAuthOptions {
  readonly keys: readonly string[];
  readonly sessionSecret: string | null;
  readonly corsOrigins: readonly string[];
  readonly hmac: HmacSha256;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const CHALLENGE = 'Bearer realm="vigil"';

/** The check for one isolate's configuration: the subject of a request, or a ProblemError. */
export function liveAuthenticator(options: LiveAuthOptions) {
  const encoder = new TextEncoder();
  const keys = options.keys.map((k) => encoder.encode(k));
  return async (request: Request): Promise<string> => {
    const header = request.headers.get('authorization');
    if (header !== null) {
      const m = BEARER.exec(header);
      if (m && keys.length > 0 && matchesAnyKey(m[1]!, keys)) return 'api-key';
      throw new ProblemError('unauthorized', 'the API key is not valid', {
        headers: { 'www-authenticate': `${CHALLENGE}, error="invalid_token"` },
      });
    }
    const token = cookieValue(request.headers.get('cookie'), SESSION_COOKIE);
    if (token !== null && options.sessionSecret !== null) {
      const session = await verifySession(
        options.hmac,
        options.sessionSecret,
        token,
        Date.now() / 1000,
      );
      if (session) {
        const origin = request.headers.get('origin');
        const host = request.headers.get('host') ?? new URL(request.url).host;
        if (origin !== null && !sameOrigin(origin, host) && !options.corsOrigins.includes(origin)) {
          throw new ProblemError('forbidden', `a session cookie is not accepted from ${origin}`);
        }
        return `session:${session.subject}`;
      }
    }
    throw new ProblemError(
      'unauthorized',
      'sign in to the dashboard (vigil_session cookie) or send Authorization: Bearer <API key>',
      { headers: { 'www-authenticate': CHALLENGE } },
    );
  };
}

function sameOrigin(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
