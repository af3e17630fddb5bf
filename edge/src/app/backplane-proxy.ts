/**
 * One origin: with VIGIL_BACKPLANE_URL set, the edge answers the dashboard and the analysts' API
 * too, by forwarding them to the backplane — and only them: `/api` and `/api/*` (any method), and
 * GET/HEAD of the dashboard's files, `/`, `/index.html` and `/assets/*` (web/vite.config.ts: base
 * `/`, hashed files under assets/, no public dir; the dashboard routes in the URL's fragment, so
 * the server never sees its routes). Everything else of the backplane is internal — `/healthz`,
 * `/metrics`, `/ingest/*`, `/internal/*` and whatever it adds later — and an allow-list keeps it so
 * (a deny-list let `/healthz` through to anyone: issue 13).
 *
 * Forwarded as is: method, path and query, body (streamed), headers (Cookie, Authorization,
 * Content-Type, X-Requested-With, …) minus hop-by-hop ones and Host, plus X-Forwarded-Host and
 * X-Forwarded-Proto (the backplane's same-origin checks see the public origin); the answer comes
 * back with its status, headers (Set-Cookie included) and streamed body. Redirects are passed
 * through, with a Location on the backplane's own origin made relative. The edge's own security
 * headers are not added: the dashboard's CSP is the backplane's to set.
 */
import type { Context } from 'hono';
import { proxy } from 'hono/proxy';
import type { EdgeEnv, Logger } from './app-context.js';
import { ProblemError } from './problem.js';

/** The dashboard's files as the backplane serves them (see above). */
const DASHBOARD_FILE = /^\/(index\.html)?$|^\/assets\/[^/]/;

/** True when the edge forwards this request to the backplane (given a backplane). */
export function forwardsToBackplane(method: string, path: string): boolean {
  if (path === '/api' || path.startsWith('/api/')) return true;
  return (method === 'GET' || method === 'HEAD') && DASHBOARD_FILE.test(path);
}

/**
 * Request headers not forwarded as sent: the hop's own, and those the edge sets itself. `Expect`
 * belongs to the client's hop (the edge's server has already answered its `100-continue`); passed
 * on, fetch refuses it (Node) or the backplane's 100 becomes an invalid Response (workerd), and
 * every such request — curl adds it to bodies over 1 MiB — was a 503.
 */
const DROPPED_REQUEST_HEADERS = [
  'host',
  'content-length',
  'expect',
  'x-forwarded-host',
  'x-forwarded-proto',
];

/** The handler that forwards to `backplaneUrl` (no trailing slash). */
export function backplaneProxy(backplaneUrl: string, log: Logger) {
  const origin = new URL(backplaneUrl).origin;
  return async (c: Context<EdgeEnv>): Promise<Response> => {
    const url = new URL(c.req.url);
    const headers = new Headers(c.req.raw.headers);
    for (const h of DROPPED_REQUEST_HEADERS) headers.delete(h);
    headers.set('x-forwarded-host', c.req.header('host') ?? url.host);
    headers.set('x-forwarded-proto', url.protocol.slice(0, -1));
    let res: Response;
    try {
      res = await proxy(backplaneUrl + url.pathname + url.search, {
        raw: c.req.raw,
        headers,
        redirect: 'manual',
      });
    } catch (error) {
      log({ level: 'warn', msg: 'backplane proxy: no answer', path: url.pathname, error });
      throw new ProblemError('unavailable', 'the backplane did not answer: retry later', {
        headers: { 'retry-after': '1' },
      });
    }
    const location = res.headers.get('location');
    if (location?.startsWith(origin + '/')) {
      res.headers.set('location', location.slice(origin.length));
    }
    return res;
  };
}
