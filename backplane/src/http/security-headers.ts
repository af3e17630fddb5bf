/**
 * The backplane's security headers: Hono's `secureHeaders` on every answer, with one of two
 * Content-Security-Policies. The edge forwards the dashboard and /api as the backplane answers
 * them (its own headers are not added), so these are what a browser gets at the public origin.
 *
 * - The dashboard (its static build, index.html for client routes): the page may run and style
 *   itself from its own origin only — Vite emits no inline script or style, and Solid and uPlot
 *   style through the CSSOM, which CSP does not govern — show images of its own and its data:
 *   favicon, fetch /api/* and open its WebSocket to /v1/live on the same origin, and nothing else.
 * - The backplane's own routes (/api, /ingest, /metrics, /healthz): the edge's policy for an API —
 *   nothing may be run, loaded or framed from an answer.
 *
 * Both: `Referrer-Policy: no-referrer` (the one-time sign-in token travels in the dashboard's URL,
 * `/?token=…`, and must not leak in a Referer), no framing (frame-ancestors 'none' and
 * `X-Frame-Options: DENY`), `X-Content-Type-Options: nosniff`, and the middleware's other defaults.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/** A Host (or X-Forwarded-Host) value safe to write into the policy: name or IP, and port. */
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The page's own origin in its WebSocket forms, `ws://host wss://host`. CSP Level 3 has 'self'
 * match them, but browsers that predate that rule (older Safari) would refuse the live feed; so
 * they are named. The host is the one the browser asked for: X-Forwarded-Host behind the edge.
 */
function sameOriginSockets(c: Context): string {
  const host = c.req.header('x-forwarded-host')?.split(',', 1)[0]?.trim() ?? c.req.header('host');
  // Anything else adds nothing ('self' twice): the policy must stay one well-formed header.
  return host !== undefined && HOST.test(host) ? `ws://${host} wss://${host}` : "'self'";
}

const COMMON: Parameters<typeof secureHeaders>[0] = {
  xFrameOptions: 'DENY',
  referrerPolicy: 'no-referrer',
  // Nothing on these pages needs a camera, a microphone, a location or a payment sheet.
  permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [], usb: [] },
};

/** The dashboard's headers (its static build and the index.html fallback). */
export function dashboardSecurityHeaders(): MiddlewareHandler {
  return secureHeaders({
    ...COMMON,
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'", sameOriginSockets],
      manifestSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  });
}

/** The headers of the backplane's own routes: an API, nothing may frame, run or load from it. */
export function apiSecurityHeaders(): MiddlewareHandler {
  return secureHeaders({
    ...COMMON,
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  });
}
