/**
 * The backplane's one Hono app: POST /ingest/events, GET /metrics, GET /healthz, the analysts' API
 * at /api, and the dashboard's static build at / (index.html for client-side routes), each with
 * its security headers. Built from what main.ts created; one onError renders every failure as
 * problem+json.
 */
import { randomUUID } from 'node:crypto';
import { serveStatic } from '@hono/node-server/serve-static';
import { constantTimeEqual, problemKindForStatus, INGEST_PATH } from '@vigil/core';
import { Hono, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { ingestRoutes, type IngestDeps } from '../ingest/ingest-routes.js';
import { rulesSyncRoutes, type RulesSyncDeps } from '../rules-sync/rules-sync-routes.js';
import type { BackplaneMetrics } from './backplane-metrics.js';
import type { BackplaneEnv } from './backplane-env.js';
import { PROBLEMS, problemBody, problemResponse, ProblemError } from './problem.js';
import { apiSecurityHeaders, dashboardSecurityHeaders } from './security-headers.js';

export interface Health {
  readonly ready: boolean;
  readonly [detail: string]: unknown;
}

export interface BackplaneAppDeps {
  readonly log: Logger;
  readonly metrics: BackplaneMetrics;
  /** null without the ingest role. */
  readonly ingest: IngestDeps | null;
  /** The edges' rules and lists sync (POST /internal/rules/sync); null without the ingest role. */
  readonly rulesSync?: RulesSyncDeps | null;
  /** The analysts' API (mounted at /api), or null without the api role. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any sub-app's Env
  readonly api: Hono<any> | null;
  readonly health: () => Health;
  /** Bearer keys for /metrics (VIGIL_API_KEYS); empty = open (the backplane binds loopback). */
  readonly metricsKeys: readonly string[];
  /** The dashboard's build directory, or null when it is missing. */
  readonly webDist: string | null;
  /** Called before /metrics renders (to sample gauges). */
  readonly beforeMetrics?: () => void;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Paths the dashboard's index.html fallback never answers. */
const RESERVED = /^\/(api|ingest|internal|metrics|healthz)(\/|$)/;

/** `mw` for every path but the backplane's own. */
function unlessReserved(mw: MiddlewareHandler<BackplaneEnv>): MiddlewareHandler<BackplaneEnv> {
  return (c, next) => (RESERVED.test(c.req.path) ? next() : mw(c, next));
}

export function createBackplaneApp(deps: BackplaneAppDeps): Hono<BackplaneEnv> {
  const { log, metrics } = deps;
  const app = new Hono<BackplaneEnv>();

  // A request id for every request (the caller's X-Request-Id when sane), in logs and the answer.
  app.use(async (c, next) => {
    const given = c.req.header('x-request-id');
    const id = given && REQUEST_ID.test(given) ? given : randomUUID();
    c.set('requestId', id);
    c.set('log', log.child({ req_id: id }));
    await next();
    c.header('x-request-id', id);
    if (c.req.path === INGEST_PATH) metrics.ingestRequests.inc({ status: String(c.res.status) });
  });

  // Security headers on every answer, errors included: the dashboard's CSP on its paths, an
  // API's everywhere else (security-headers.ts says what each allows and why).
  const apiHeaders = apiSecurityHeaders();
  const dashboardHeaders = dashboardSecurityHeaders();
  app.use((c, next) =>
    RESERVED.test(c.req.path) ? apiHeaders(c, next) : dashboardHeaders(c, next),
  );

  if (deps.ingest) app.route('/', ingestRoutes(deps.ingest));
  if (deps.rulesSync) app.route('/', rulesSyncRoutes(deps.rulesSync));

  app.get('/healthz', (c) => {
    const h = deps.health();
    return c.json({ status: h.ready ? 'ok' : 'unavailable', ...h }, h.ready ? 200 : 503);
  });

  app.get('/metrics', async (c) => {
    if (deps.metricsKeys.length > 0) {
      const m = /^Bearer +(\S+) *$/i.exec(c.req.header('authorization') ?? '');
      if (!m || !deps.metricsKeys.some((k) => constantTimeEqual(k, m[1]!))) {
        throw new ProblemError('unauthorized', 'send Authorization: Bearer <API key>', {
          headers: { 'www-authenticate': 'Bearer realm="vigil"' },
        });
      }
    }
    deps.beforeMetrics?.();
    const text = await metrics.registry.metrics();
    return c.body(text, 200, { 'content-type': metrics.registry.contentType });
  });

  if (deps.api) app.route('/api', deps.api);

  if (deps.webDist) {
    const root = deps.webDist;
    const asset = serveStatic<BackplaneEnv>({ root });
    const index = serveStatic<BackplaneEnv>({ root, path: 'index.html' });
    // A file of the build if there is one, else index.html: the dashboard routes on the client.
    app.use(unlessReserved(asset));
    app.use(unlessReserved(index));
  }

  app.notFound((c) =>
    problemResponse(problemBody('not-found', `no route for ${c.req.method} ${c.req.path}`)),
  );
  app.onError((err, c) => {
    const id = c.get('requestId');
    if (err instanceof ProblemError) {
      return problemResponse(
        problemBody(err.code, err.message, err.errors, `urn:vigil:request:${id}`),
        {
          ...err.headers,
        },
      );
    }
    if (err instanceof HTTPException && err.status < 500) {
      return problemResponse({
        ...problemBody(problemKindForStatus(PROBLEMS, err.status), err.message),
        status: err.status,
      });
    }
    (c.get('log') ?? log).error({ err, method: c.req.method, path: c.req.path }, 'unhandled error');
    return problemResponse(
      problemBody(
        'internal',
        'an unexpected error occurred; it has been logged',
        undefined,
        `urn:vigil:request:${id}`,
      ),
    );
  });
  return app;
}
