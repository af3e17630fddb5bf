/**
 * Browser sign-in: POST /api/session trades the one-time token `npm start` prints (or an API key,
 * pasted) for a signed `vigil_session` cookie; GET tells the dashboard who it is; DELETE signs out.
 * These three are mounted before the auth middleware: GET and DELETE answer anyone (an unknown
 * caller is `authenticated: false`, signing out twice is harmless). PUT renames a signed-in
 * session: the one-time link signs in before the analyst can say who they are, so the dashboard
 * asks afterwards and the name travels in a re-issued cookie.
 */
import {
  constantTimeEqual,
  issueSession,
  SESSION_COOKIE,
  SESSION_TTL_S,
  UNNAMED_SUBJECT,
  type SessionInfo,
} from '@vigil/core';
import { Hono, type Context } from 'hono';
import * as z from 'zod/mini';
import type { ApiEnv } from './api-env.js';
import { BEARER_SUBJECT, identify, matchesAnyKey, requireAuth, type AuthOptions } from './auth.js';
import { nodeHmacSha256 } from './hmac.js';
import { ProblemError } from '../http/problem.js';
import { nameField, noQuery, parseBody } from './validate.js';

/** The subject of a session signed in without a `name` (core's, so the dashboard knows it). */
export const DEFAULT_SUBJECT = UNNAMED_SUBJECT;

/**
 * An analyst's name, which the audit log records as `actor`: not the bearer key's actor (`api`)
 * nor a backplane job's (`system:…`), so no session can act under either in the audit.
 */
const sessionName = () =>
  nameField('name').check(
    z.refine(
      (s) => s !== BEARER_SUBJECT && !s.toLowerCase().startsWith('system:'),
      `name may not be ${BEARER_SUBJECT} or start with system: (the audit's actors for API keys and the backplane)`,
    ),
  );

const signInSchema = z.strictObject({
  token: z
    .string('token is required and must be a string')
    .check(
      z.minLength(1, 'token must not be empty'),
      z.maxLength(512, 'token must be at most 512 characters'),
    ),
  name: z.optional(sessionName()),
});

const renameSchema = z.strictObject({ name: sessionName() });

function isHttps(c: Context): boolean {
  return (
    new URL(c.req.url).protocol === 'https:' ||
    c.req.header('x-forwarded-proto')?.split(',', 1)[0]?.trim() === 'https'
  );
}

function cookie(c: Context, value: string, maxAgeS: number): string {
  const secure = isHttps(c) ? '; Secure' : '';
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAgeS}; HttpOnly; SameSite=Strict${secure}`;
}

export interface SessionOptions extends AuthOptions {
  readonly signInToken: string | null;
}

/** POST, GET and DELETE /session. */
export function sessionRoutes(opts: SessionOptions): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  // Spent on first use: the token sits in a terminal's scrollback and a shell's history.
  let signInToken = opts.signInToken;

  r.post('/session', noQuery, async (c) => {
    const body = await parseBody(c, signInSchema);
    let ok = false;
    if (signInToken !== null && constantTimeEqual(body.token, signInToken)) {
      signInToken = null;
      ok = true;
    } else if (matchesAnyKey(body.token, opts.apiKeys)) {
      ok = true;
    }
    if (!ok) {
      throw new ProblemError(
        'unauthorized',
        'the token is not valid: the sign-in token works once; an API key also signs in',
      );
    }
    const subject = body.name ?? DEFAULT_SUBJECT;
    const nowS = opts.now().getTime() / 1000;
    const token = await issueSession(nodeHmacSha256, opts.sessionSecret, subject, nowS);
    c.header('set-cookie', cookie(c, token, SESSION_TTL_S));
    c.header('cache-control', 'no-store');
    const info: SessionInfo = { authenticated: true, subject, via: 'session' };
    return c.json(info);
  });

  // Auth and the CSRF guard as every other write; a bearer key has no session to rename.
  r.put('/session', noQuery, requireAuth(opts), async (c) => {
    const body = await parseBody(c, renameSchema);
    if (c.get('principal').via !== 'session') {
      throw new ProblemError('validation', 'only a browser session has a name to change', {
        errors: [{ path: '/name', message: 'sign in with POST /api/session first' }],
      });
    }
    const nowS = opts.now().getTime() / 1000;
    const token = await issueSession(nodeHmacSha256, opts.sessionSecret, body.name, nowS);
    c.header('set-cookie', cookie(c, token, SESSION_TTL_S));
    c.header('cache-control', 'no-store');
    const info: SessionInfo = { authenticated: true, subject: body.name, via: 'session' };
    return c.json(info);
  });

  r.get('/session', noQuery, async (c) => {
    const who = await identify(c, opts);
    c.header('cache-control', 'no-store');
    const info: SessionInfo = who.ok
      ? { authenticated: true, subject: who.principal.subject, via: who.principal.via }
      : { authenticated: false, subject: null, via: null };
    return c.json(info);
  });

  r.delete('/session', noQuery, (c) => {
    c.header('set-cookie', cookie(c, '', 0));
    c.header('cache-control', 'no-store');
    return c.body(null, 204);
  });

  return r;
}
