/**
 * Security headers: Hono's `secureHeaders` middleware for every route but the two scoring routes,
 * which build their response in one go with the REST API subset below.
 *
 * Why: `secureHeaders` sets its headers on `c.res.headers` after the handler ran. On
 * Node that turns @hono/node-server's cached response (status, body, plain header record, written
 * straight to the socket) into a WHATWG `Headers` object plus a second header conversion — about a
 * tenth of a `/v1/score` request's CPU (profiled). The scoring routes are the
 * hot path, so they answer with `scoreResponse` instead.
 */
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

export interface SecurityOptions {
  /** CORS is on: responses may be read cross-origin (Cross-Origin-Resource-Policy). */
  readonly crossOrigin: boolean;
}

/** The options given to Hono's secureHeaders: an API, nothing may frame, run or load from it. */
function honoOptions(o: SecurityOptions): Parameters<typeof secureHeaders>[0] {
  return {
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    xFrameOptions: 'DENY',
    crossOriginResourcePolicy: o.crossOrigin ? 'cross-origin' : 'same-origin',
    // A route that sets its own (the /docs page's CSP) keeps it.
    overwrite: false,
  };
}

/** Hono's middleware with Vigil's options. */
export function securityMiddleware(o: SecurityOptions): MiddlewareHandler {
  return secureHeaders(honoOptions(o));
}

/**
 * The scoring routes' security headers: OWASP's set for REST APIs (REST Security Cheat Sheet,
 * "Security Headers") — no caching of a decision, no framing, no content sniffing, HTTPS only —
 * with the middleware's values, and `no-store` (a decision must never be served from a cache). The middleware's other headers (X-XSS-Protection, X-Download-
 * Options, Origin-Agent-Cluster, COOP, CORP, …) steer browsers rendering documents; a checkout backend
 * reading a JSON answer has no use for them, and on Node the fourteen cost a quarter of a
 * request's throughput where these five cost ~nothing (docs/measurements.md, measured with the
 * Hono floor answering with each set). The behaviour suite checks each value
 * equals the middleware's.
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
});
