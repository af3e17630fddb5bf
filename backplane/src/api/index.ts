/**
 * The analysts' API, one Hono app to mount at /api of the public origin:
 * `app.route('/api', createApiApp(deps))`; `await api.close()` on shutdown stops the traffic
 * simulator. docs/api.md describes every route.
 */
import { MAX_MODEL_REGISTER_BODY } from '@vigil/core';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ApiEnv } from './api-env.js';
import { requireAuth } from './auth.js';
import { BULK_RESOLVE_PATH, casesRoutes, MAX_BULK_BODY_BYTES } from './cases-routes.js';
import type { ApiDeps } from './deps.js';
import { EdgeClient } from './edge-client.js';
import { apiErrorHandler } from './error-handler.js';
import { auditRoutes } from './audit/audit-routes.js';
import { driftRoutes } from '../drift/drift-routes.js';
import { LIST_ITEMS_PATH, listsRoutes, MAX_ITEMS_BODY_BYTES } from './lists/lists-routes.js';
import { OneReadPerAnalyst } from './heavy-reads.js';
import { backtestRoutes } from './rules/backtest-routes.js';
import { rulesRoutes } from './rules/rules-routes.js';
import { DEFAULT_BACKTEST_TIMEOUT_MS } from '../config/load-config.js';
import { thresholdsRoutes } from './thresholds/thresholds-routes.js';
import { MODELS_REGISTER_PATH, modelsRoutes } from './models/models-routes.js';
import { problemBody, problemResponse, ProblemError } from '../http/problem.js';
import { searchRoutes } from './search-routes.js';
import { sessionRoutes } from './session-routes.js';
import { statsRoutes } from './stats-routes.js';
import { TrafficGenerator } from '@vigil/sim';
import { trafficRoutes } from './traffic/traffic-routes.js';
import { TrafficSender } from './traffic/traffic-sender.js';
import { transactionsRoutes } from './transactions-routes.js';
import { MAX_BODY_BYTES } from './validate.js';
import { getCase } from './cases-queries.js';
import { liveCase } from './cases-routes.js';
import { DEFAULT_VERDICT_RETRY } from './verdict-delivery/delivery-policy.js';
import { VerdictDeliverer } from './verdict-delivery/verdict-deliverer.js';

export type { ApiDeps } from './deps.js';
export type { ApiEnv, Principal } from './api-env.js';
export type * from './api-types.js';
export { CSRF_HEADER, CSRF_VALUE } from './auth.js';
export { nodeHmacSha256 } from './hmac.js';
export { PROBLEM_CONTENT_TYPE } from '../http/problem.js';
export { TrafficGenerator } from '@vigil/sim';
export {
  DEFAULT_VERDICT_RETRY,
  type VerdictRetryPolicy,
} from './verdict-delivery/delivery-policy.js';
export type { VerdictDeliveryObserver } from './verdict-delivery/verdict-deliverer.js';

/**
 * The API app, plus `close()` to stop what it runs in the background, and its verdict deliverer
 * (null without an edge), whose `sweep()` tests call to retry without waiting.
 */
export type ApiApp = Hono<ApiEnv> & {
  close(): Promise<void>;
  readonly deliverer: VerdictDeliverer | null;
};

/** Build the analysts' API from its dependencies. Throws if they cannot work (no session secret). */
export function createApiApp(deps: ApiDeps): ApiApp {
  if (deps.auth.sessionSecret.length < 16) {
    throw new Error('createApiApp: auth.sessionSecret must be at least 16 characters');
  }
  const now = deps.now ?? (() => new Date());
  const edge = deps.edge
    ? new EdgeClient(deps.edge, deps.fetch ?? globalThis.fetch, deps.log)
    : null;
  // Verdicts the edge has not applied yet wait in Postgres; this retries them in the background.
  const deliverer = edge
    ? new VerdictDeliverer({
        sql: deps.sql,
        edge,
        log: deps.log.child({ component: 'verdict-delivery' }),
        now,
        policy: { ...DEFAULT_VERDICT_RETRY, ...deps.verdictRetry },
        ...(deps.verdictObserver ? { observer: deps.verdictObserver } : {}),
        changed: async (caseId) => {
          const c = await getCase(deps.sql, caseId);
          if (c) deps.publishLive([liveCase(c, true)]);
        },
      })
    : null;
  deliverer?.start();
  const generator = new TrafficGenerator({ seed: deps.trafficSeed ?? 7 });
  const sender = new TrafficSender({ generator, edge, log: deps.log });
  const authOptions = {
    apiKeys: deps.auth.apiKeys,
    sessionSecret: deps.auth.sessionSecret,
    now,
  };

  const app = new Hono<ApiEnv>();
  app.use(async (c, next) => {
    await next();
    // Every answer is about one analyst's view of live data: never cache it anywhere.
    if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
  });
  const limit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new ProblemError('payload-too-large', `the body exceeds ${maxSize} bytes`);
      },
    });
  const small = limit(MAX_BODY_BYTES);
  const items = limit(MAX_ITEMS_BODY_BYTES);
  const bulk = limit(MAX_BULK_BODY_BYTES);
  const model = limit(MAX_MODEL_REGISTER_BODY);
  // Three routes take more: a batch of up to 1,000 list items (lists-routes.ts,
  // MAX_ITEMS_BODY_BYTES), a bulk resolve of up to 500 cases (cases-routes.ts,
  // MAX_BULK_BODY_BYTES) and a model's registration, its ONNX file in base64 (core's limits).
  app.use((c, next) => {
    if (c.req.method !== 'POST') return small(c, next);
    if (LIST_ITEMS_PATH.test(c.req.path)) return items(c, next);
    if (BULK_RESOLVE_PATH.test(c.req.path)) return bulk(c, next);
    return (MODELS_REGISTER_PATH.test(c.req.path) ? model : small)(c, next);
  });
  // Before authentication: signing in needs none; GET and DELETE answer anyone.
  app.route('/', sessionRoutes({ ...authOptions, signInToken: deps.auth.signInToken }));
  app.use(requireAuth(authOptions));
  app.route('/', transactionsRoutes(deps.sql));
  app.route('/', searchRoutes(deps.sql));
  app.route(
    '/',
    casesRoutes(deps, {
      sql: deps.sql,
      emitFeedback: (events) => deps.emitFeedback(events),
      deliverer,
      log: deps.log,
      now,
    }),
  );
  app.route('/', statsRoutes(deps));
  // Backtests, thresholds previews and model comparisons: the backtest's pool, timeout and one
  // limit per analyst.
  const heavy = {
    sql: deps.backtest?.sql ?? deps.sql,
    timeoutMs: deps.backtest?.timeoutMs ?? DEFAULT_BACKTEST_TIMEOUT_MS,
    limit: deps.backtest?.limit ?? new OneReadPerAnalyst(),
    ...(deps.backtest?.pageRows ? { pageRows: deps.backtest.pageRows } : {}),
  };
  app.route('/', backtestRoutes({ ...heavy, now }));
  app.route('/', rulesRoutes({ sql: deps.sql, now }));
  app.route('/', listsRoutes({ sql: deps.sql, now }));
  app.route('/', thresholdsRoutes({ sql: deps.sql, now, preview: heavy }));
  app.route(
    '/',
    modelsRoutes({
      sql: deps.sql,
      now,
      compare: heavy,
      ...(deps.deployedModel ? { deployedModel: deps.deployedModel } : {}),
    }),
  );
  app.route('/', auditRoutes(deps.sql));
  app.route('/', driftRoutes(deps.sql));
  app.route('/', trafficRoutes({ sender, generator, edge, now }));
  // Mounted under /api, the parent's notFound would answer: this keeps /api/* in problem+json.
  app.all('*', (c) =>
    problemResponse(problemBody('not-found', `no route for ${c.req.method} ${c.req.path}`)),
  );

  app.onError(apiErrorHandler(deps.log));

  return Object.assign(app, {
    close: async () => {
      await deliverer?.close();
      await sender.close();
    },
    deliverer,
  });
}
