/**
 * The edge's one Hono app, built from ports: a feature store, a scorer, an event sink, the served
 * model and the configuration. No runtime imports: the Node runtime (runtime/node) and the Worker
 * (runtime/workers) each build their ports and call createApp with them.
 */
import {
  createThrottle,
  DEFAULT_REQUEST_TIMEOUT_MS,
  problemKindForStatus,
  type EmitOptions,
  type EventSink,
  type FeatureStore,
  type CompiledRuleset,
  type Scorer,
  type VigilEvent,
  MAX_SCORE_BATCH,
} from '@vigil/core';
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import type { EdgeConfig } from '../config/load-config.js';
import type { RulesKeeper } from '../rules/rules-keeper.js';
import type { ModelHolder } from '../scoring/model-holder.js';
import { fixedModels } from '../scoring/served-models.js';
import type { ChallengerScorer } from '../scoring/challenger-scorer.js';
import { ScoringService } from '../scoring/scoring-service.js';
import {
  scoreCallOf,
  type AppContext,
  type EdgeEnv,
  type Logger,
  type ServedModel,
} from './app-context.js';
import { backplaneProxy, forwardsToBackplane } from './backplane-proxy.js';
import { bearerAuth } from './bearer-auth.js';
import { EdgeMetrics, type MetricsSource } from './metrics.js';
import {
  internalProblemBody,
  PROBLEMS,
  problemBody,
  problemResponse,
  ProblemError,
} from './problem.js';
import { queryGuard } from './query-guard.js';
import { feedbackRoutes } from './routes/feedback-routes.js';
import { infoRoutes } from './routes/info-routes.js';
import { SCORE_PATHS, scoreRoutes } from './routes/score-routes.js';
import { API_SECURITY_HEADERS, securityMiddleware } from './security-headers.js';

/** Largest body of a single-item request: a transaction is well under 1 kB. */
export const SINGLE_BODY_BYTES = 16_384;
/** Deadline of a label call; labels have no degraded mode, so a late store is a 503. */
export const LABEL_TIMEOUT_MS = 2_000;

export interface EdgeAppDeps {
  readonly store: FeatureStore;
  readonly scorer: Scorer;
  readonly model: ServedModel;
  readonly config: Pick<
    EdgeConfig,
    'apiKeys' | 'featureTimeoutMs' | 'corsOrigins' | 'maxBodyBytes'
  > &
    Partial<Pick<EdgeConfig, 'backplane' | 'requestTimeoutMs'>>;
  /**
   * Reported by /v1/health and in decision events. 'workers' also hands background work (answer
   * saves that outlive the response) to each request's executionCtx.waitUntil.
   */
  readonly runtime: 'node' | 'workers';
  /** Where decisions and labels go; default: nowhere (they are still counted in /metrics). */
  readonly sink?: EventSink;
  /** More metric families for /metrics (the sink's delivery metrics). */
  readonly metricsSources?: readonly MetricsSource[];
  /** Structured logs; default: one JSON line per entry on stderr (console.error). */
  readonly log?: Logger;
  /**
   * The fraud team's rules and lists, kept in step with the backplane; default none. On Workers
   * each scoring request gives it a chance to sync (RulesKeeper.onRequest); Node runs its timer.
   */
  readonly rules?: RulesKeeper<CompiledRuleset>;
  /**
   * The champion and challenger kept in step with the registry (runtime/…: the deployed model
   * until the registry names one). Absent: `scorer` and `model` are served, with no challenger.
   */
  readonly models?: ModelHolder;
  /** Where the challenger is scored after the answer; default in this thread (Workers). */
  readonly challenger?: ChallengerScorer;
}

/** Error → plain object for a JSON log line (stack and cause included). */
export function describeError(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const code = (e as { code?: unknown }).code;
  return {
    name: e.name,
    message: e.message,
    ...(code !== undefined ? { code } : {}),
    stack: e.stack,
    ...(e.cause !== undefined ? { cause: describeError(e.cause) } : {}),
  };
}

/** The default Logger: one JSON line per entry on stderr. */
export const consoleLogger: Logger = (entry) => {
  const { error, ...rest } = entry;
  console.error(
    JSON.stringify({ time: new Date().toISOString(), ...rest, error: describeError(error) }),
  );
};

/** At most one log line per kind every 10 s: a store outage must not flood the logs. */
function rateLimited(log: Logger): (kind: string, error: unknown) => void {
  const hit = createThrottle();
  return (kind, error) => {
    const counts = hit(kind);
    if (counts !== null) log({ level: 'warn', msg: kind, occurrences: counts.occurrences, error });
  };
}

/** The edge's own routes and the methods each answers: a 405's `Allow` header. */
const ROUTES: ReadonlyMap<string, string> = new Map([
  ['/v1/score', 'POST'],
  ['/v1/score/batch', 'POST'],
  ['/v1/feedback', 'POST'],
  ['/v1/feedback/batch', 'POST'],
  ['/v1/health', 'GET, HEAD'],
  ['/v1/model', 'GET, HEAD'],
  ['/metrics', 'GET, HEAD'],
  ['/openapi.json', 'GET, HEAD'],
  ['/docs', 'GET, HEAD'],
]);

/** Build the app. Throws if the parts do not fit (no keys, scorer and metadata disagree). */
export function createApp(deps: EdgeAppDeps): Hono<EdgeEnv> {
  const { config, model } = deps;
  const models =
    deps.models ??
    fixedModels({
      metadata: model.metadata,
      ensemble: model.ensemble,
      scorer: deps.scorer,
      sha256: null,
    });
  if (deps.scorer.version !== model.metadata.version) {
    throw new Error(
      `createApp: scorer serves ${deps.scorer.version}, metadata is ${model.metadata.version}`,
    );
  }
  const log = deps.log ?? consoleLogger;
  const metrics = new EdgeMetrics(
    () => models.current.champion.metadata.version,
    rateLimited(log),
    [
      ...(deps.metricsSources ?? []),
      ...(deps.rules ? [deps.rules] : []),
      ...(deps.models ? [deps.models] : []),
    ],
  );
  const downstream = deps.sink;
  const sink: EventSink = {
    emit(events: readonly VigilEvent[], options?: EmitOptions) {
      for (const e of events) metrics.events.inc({ type: e.type });
      try {
        downstream?.emit(events, options);
      } catch (error) {
        metrics.sinkFailed(error);
      }
    },
  };
  const backplaneUrl = config.backplane?.url;
  const forwards = (c: Context<EdgeEnv>) =>
    backplaneUrl !== undefined && forwardsToBackplane(c.req.method, c.req.path);
  const ctx: AppContext = {
    scoring: new ScoringService({
      store: deps.store,
      models,
      featureTimeoutMs: config.featureTimeoutMs,
      // No downstream sink, no events to build: decisions are still counted (decided()).
      ...(downstream ? { sink } : {}),
      observer: metrics,
      runtime: deps.runtime,
      maxBatch: MAX_SCORE_BATCH,
      ...(deps.rules ? { rules: deps.rules } : {}),
      ...(deps.challenger ? { challenger: deps.challenger } : {}),
    }),
    store: deps.store,
    sink,
    metrics,
    model,
    models,
    runtime: deps.runtime,
    limits: {
      single: Math.min(SINGLE_BODY_BYTES, config.maxBodyBytes),
      batch: config.maxBodyBytes,
    },
    labelTimeoutMs: LABEL_TIMEOUT_MS,
    bodyTimeoutMs: config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    securityHeaders: API_SECURITY_HEADERS,
    log,
  };

  const app = new Hono<EdgeEnv>();
  app.use(async (c, next) => {
    c.set('t0', performance.now());
    await next();
    const route = ROUTES.has(c.req.path) ? c.req.path : forwards(c) ? 'backplane' : 'other';
    metrics.requests.inc({ route, status: String(c.res.status) });
  });
  const secure = securityMiddleware({ crossOrigin: config.corsOrigins.length > 0 });
  app.use(async (c, next) => {
    // What the backplane answers (the dashboard, /api) keeps the backplane's own headers.
    if (forwards(c)) return next();
    if (!SCORE_PATHS.has(c.req.path)) return secure(c, next);
    await next();
    // The scoring routes answer with the headers already (scoreResponse); their problems do not.
    if (c.get('secured') === true) return;
    for (const k in API_SECURITY_HEADERS) {
      if (!c.res.headers.has(k)) c.res.headers.set(k, API_SECURITY_HEADERS[k]!);
    }
  });
  if (config.corsOrigins.length > 0) {
    // Before authentication: preflights carry no credentials.
    app.use(
      cors({
        origin: [...config.corsOrigins],
        allowMethods: ['GET', 'POST'],
        allowHeaders: ['Authorization', 'Content-Type'],
        exposeHeaders: ['Server-Timing', 'Retry-After'],
        maxAge: 600,
      }),
    );
    app.use(async (c, next) => {
      await next();
      c.header('Timing-Allow-Origin', config.corsOrigins.join(' '));
    });
  }
  // Every route, the forwarded ones and the dashboard's files included.
  app.use(queryGuard);
  const auth = bearerAuth(config.apiKeys);
  app.use('/v1/*', bearerAuth(config.apiKeys, ['/v1/health']));
  // /metrics is authenticated too: it shows traffic volumes and the decision mix, which are
  // business data. Prometheus sends a bearer key with `authorization: {credentials: …}`.
  app.use('/metrics', auth);
  const rules = deps.rules;
  if (rules && deps.runtime === 'workers') {
    // A Worker has no timer between requests: its scoring requests drive the sync (after auth,
    // so strangers cannot make the edge call the backplane).
    const syncFirst = async (c: Context<EdgeEnv>, next: () => Promise<void>) => {
      await rules.onRequest(scoreCallOf(c, deps.runtime).background ?? (() => undefined));
      await next();
    };
    app.use('/v1/score', syncFirst);
    app.use('/v1/score/*', syncFirst);
    // The model's answer names the thresholds in force, which the sync brings.
    app.use('/v1/model', syncFirst);
    // A scrape too: an idle isolate would otherwise report vigil_rules_stale 1 with a healthy
    // backplane (it waits up to 250 ms for the sync it starts, so the answer is current).
    app.use('/metrics', syncFirst);
  }

  app.route('/v1', scoreRoutes(ctx));
  app.route('/v1', feedbackRoutes(ctx));
  app.route('/', infoRoutes(ctx));
  if (backplaneUrl !== undefined) {
    const forward = backplaneProxy(backplaneUrl, log);
    app.all('/api', forward);
    app.all('/api/*', forward);
    // Registered last: the dashboard's files (forwardsToBackplane says which).
    app.get('*', (c) => (forwards(c) ? forward(c) : c.notFound()));
  }

  app.notFound((c) => {
    // A known path with another method is a client's slip worth naming: 405 with the methods.
    const allow = ROUTES.get(c.req.path);
    if (allow !== undefined) {
      return problemResponse(
        problemBody(
          'method-not-allowed',
          `${c.req.method} is not allowed on ${c.req.path}; use ${allow}`,
        ),
        { allow },
      );
    }
    return problemResponse(problemBody('not-found', `no route for ${c.req.method} ${c.req.path}`));
  });
  app.onError((err, c) => {
    if (err instanceof ProblemError) return problemResponse(err.body(), { ...err.headers });
    if (err instanceof HTTPException && err.status < 500) {
      return problemResponse({
        ...problemBody(problemKindForStatus(PROBLEMS, err.status), err.message),
        status: err.status,
      });
    }
    // A bug: log it all, answer with nothing but an id to find the log line by.
    const id = crypto.randomUUID();
    log({
      level: 'error',
      msg: 'unhandled error',
      id,
      method: c.req.method,
      path: c.req.path,
      error: err,
    });
    return problemResponse(internalProblemBody(id));
  });
  return app;
}
