/**
 * The Worker's wiring, run once per isolate on its first request (bindings arrive with requests,
 * so nothing here can run at import): configuration from the bindings, the feature store, the
 * model and its ORT session, then the shared Hono app.
 */
import type { FeatureStore } from '@vigil/core';
import type { Hono } from 'hono';
import { consoleLogger, createApp, type EdgeEnv } from '../../app/index.js';
import { ConfigError, loadConfig, type EdgeConfig } from '../../config/index.js';
import { DeliveryMetrics, RequestEventSink, createWebCryptoHmac } from '../../events/index.js';
import { createEdgeRules } from '../../rules/edge-rules.js';
import { createOrtScorer } from '../../scoring/ort-scorer.js';
import { createEdgeModels } from '../../scoring/served-model.js';
import { createMemoryFeatureStore } from '../../stores/memory-feature-store.js';
import { createUpstashFeatureStore } from '../../stores/upstash-feature-store.js';
import type { RemoteFeatureStore } from '../../stores/redis-feature-store.js';
import { bundledModelFiles } from './bundled-model.js';
import { DurableFeatureStore } from './durable-feature-store.js';
import type { Env } from './env.js';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm';
import { withCompiledOrtWasm } from './ort-wasm.js';
import { WorkerOutbox } from './outbox-client.js';

/** Deadline of a direct delivery attempt when the durable outbox is there to fall back on. */
const DIRECT_TIMEOUT_MS = 5_000;

export interface WorkerApp {
  readonly app: Hono<EdgeEnv>;
  /** The Upstash store, whose buffered answers must be flushed before the isolate may go idle. */
  readonly remote: RemoteFeatureStore | null;
  /** The durable outbox, with a backplane and the EVENT_OUTBOX binding. */
  readonly outbox: WorkerOutbox | null;
  /**
   * Start the deployed model's session build (after the first response is made) and its end, for
   * that request's waitUntil.
   */
  readonly warm: () => Promise<boolean>;
}

/** Build the edge app from the Worker's bindings; throws ConfigError naming a bad binding. */
export async function createWorkerApp(env: Env): Promise<WorkerApp> {
  const config = loadConfig(stringBindings(env));
  if (config.apiKeys.length === 0) {
    throw new Error(
      'VIGIL_API_KEYS is not set: `npx wrangler secret put VIGIL_API_KEYS`; for wrangler dev, ' +
        'a VIGIL_API_KEYS=… line in .dev.vars or .env',
    );
  }
  // Served from this first request on: core's tree walk answers until the ORT session is built
  // (the isolate's first ~0.5 s), under this request's waitUntil (`warm`). The first session
  // instantiates ORT's Wasm from the compiled module; later ones (registry models) reuse it.
  let first = true;
  let startWarming: () => void = () => undefined;
  const buildAfter = new Promise<void>((resolve) => (startWarming = resolve));
  const { model, scorer, holder, warm } = createEdgeModels(bundledModelFiles(), {
    createSession: (input) => {
      if (!first) return createOrtScorer(input);
      first = false;
      return withCompiledOrtWasm(ortWasm, () => createOrtScorer(input));
    },
    ...(config.backplane ? { backplane: config.backplane, hmac: createWebCryptoHmac() } : {}),
    log: consoleLogger,
    buildAfter,
  });
  const remote = config.upstash ? upstashStore(config) : null;
  const store: FeatureStore = remote ?? (await embeddedStore(config, env));
  // Each request's events go to the backplane in one signed batch under its waitUntil; what
  // cannot go now goes to the durable outbox, which delivers it when the backplane is back.
  const delivery = new DeliveryMetrics();
  const outbox =
    config.backplane && env.EVENT_OUTBOX ? new WorkerOutbox(env.EVENT_OUTBOX, consoleLogger) : null;
  if (config.backplane && !outbox) {
    consoleLogger({
      level: 'warn',
      msg:
        'no EVENT_OUTBOX Durable Object binding: events that cannot be delivered within ~20 s ' +
        'are dropped (see wrangler.toml)',
    });
  }
  const sink = config.backplane
    ? new RequestEventSink({
        target: {
          backplaneUrl: config.backplane.url,
          secret: config.backplane.eventsSecret,
          hmac: createWebCryptoHmac(),
          // With an outbox behind it, a slow backplane costs a handoff, not 10 s of waitUntil.
          ...(outbox ? { timeoutMs: DIRECT_TIMEOUT_MS } : {}),
        },
        ...(outbox ? { handoff: outbox } : {}),
        metrics: delivery,
        log: consoleLogger,
      })
    : undefined;
  const rules = config.backplane
    ? createEdgeRules({
        backplane: config.backplane,
        hmac: createWebCryptoHmac(),
        store,
        intervalMs: config.rulesSyncMs,
        log: consoleLogger,
        models: holder,
      })
    : undefined;
  const app = createApp({
    store,
    scorer,
    model,
    config,
    runtime: 'workers',
    ...(sink ? { sink, metricsSources: [delivery] } : {}),
    ...(rules ? { rules } : {}),
    models: holder,
    log: consoleLogger,
  });
  return {
    app,
    remote,
    outbox,
    warm: () => {
      startWarming();
      return warm;
    },
  };
}

/**
 * Without Upstash: the FeatureState Durable Object (`durable`, the default where the binding
 * exists), which every isolate shares and which forgets nothing on restart or eviction; or this
 * isolate's memory (`memory`): each isolate — Cloudflare runs many, evicting them at will — sees
 * its own slice of the traffic and forgets it on eviction, kept for benchmarks and tests.
 */
async function embeddedStore(config: EdgeConfig, env: Env): Promise<FeatureStore> {
  const kind = config.featureStore ?? (env.FEATURE_STATE ? 'durable' : 'memory');
  if (kind === 'memory') return createMemoryFeatureStore();
  if (!env.FEATURE_STATE) {
    throw new ConfigError(
      'VIGIL_FEATURE_STORE',
      'is durable but the Worker has no FEATURE_STATE Durable Object binding (see wrangler.toml)',
    );
  }
  const store = new DurableFeatureStore(env.FEATURE_STATE);
  // Wake it now (it reads its state back), so the first scores do not spend their feature
  // deadline on that; a failure here is only logged: each call tries the object again.
  await store.warm().catch((error: unknown) => {
    consoleLogger({ level: 'warn', msg: 'feature state: warm-up failed', error });
  });
  return store;
}

function upstashStore(config: EdgeConfig): RemoteFeatureStore {
  const { url, token } = config.upstash!;
  return createUpstashFeatureStore({
    url,
    token,
    timeoutMs: config.featureTimeoutMs,
    onError: (error) =>
      consoleLogger({ level: 'warn', msg: 'feature store: background error', error }),
  });
}

/** The string bindings (vars and secrets): what loadConfig reads. Other bindings are objects. */
export function stringBindings(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(env)) if (typeof v === 'string') out[name] = v;
  return out;
}
