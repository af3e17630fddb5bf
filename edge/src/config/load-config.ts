/**
 * The edge's configuration: one typed object from an environment record (process.env on Node, the
 * Worker's bindings on Workers), read once at start-up by the runtime's wiring, never at import.
 * Fails fast, naming the variable (and never echoing a secret). An empty value counts as unset, as
 * in .env files. The readers (envValue, envSecret, …) are core's, shared with the backplane, so a
 * variable both read is read and refused the same way.
 */
import {
  ConfigError,
  envBearerKeys,
  envInteger,
  envRequestTimeoutMs,
  envList,
  envSecret,
  envUrl,
  envValue,
  HUB_RETAINED_EVENTS,
  type Env,
  type ParseUrl,
} from '@vigil/core';

export interface EdgeConfig {
  /** PORT: where the Node runtime listens (default 8787; 0 = any free port). */
  readonly port: number;
  /** VIGIL_HOST: the Node runtime's bind address (default 127.0.0.1: loopback only). */
  readonly host: string;
  /** VIGIL_API_KEYS: comma-separated bearer keys; empty when unset (the runtime decides). */
  readonly apiKeys: readonly string[];
  /** UPSTASH_REDIS_REST_URL + UPSTASH_REDIS_REST_TOKEN (both or neither). */
  readonly upstash: { readonly url: string; readonly token: string } | null;
  /** REDIS_URL: direct TCP Redis (Node only). */
  readonly redisUrl: string | null;
  /** VIGIL_FEATURE_TIMEOUT_MS: the feature store's deadline before scoring degrades (default 30). */
  readonly featureTimeoutMs: number;
  /**
   * VIGIL_FEATURE_STORE: where features live when no Redis is configured (Redis, when set, takes
   * precedence): `memory` (this process or isolate only, lost on restart) or `durable` (Workers:
   * the FeatureState Durable Object; Node: LMDB files in VIGIL_FEATURE_STORE_DIR). null when
   * unset: the runtime's default (Workers: durable when its binding exists; Node: memory).
   */
  readonly featureStore: FeatureStoreKind | null;
  /** VIGIL_FEATURE_STORE_DIR: Node's durable store's directory (default `.vigil/edge-features`). */
  readonly featureStoreDir: string;
  /** VIGIL_CORS_ORIGINS: comma-separated origins allowed by CORS; empty (default) = CORS off. */
  readonly corsOrigins: readonly string[];
  /** VIGIL_MAX_BODY_BYTES: largest batch request body (default 1 MiB). */
  readonly maxBodyBytes: number;
  /**
   * VIGIL_REQUEST_TIMEOUT_MS: time a client has to send a whole request, headers and body (Node
   * only; default 10 s). Past it the server answers 408 and closes the connection.
   */
  readonly requestTimeoutMs: number;
  /**
   * VIGIL_BACKPLANE_URL + VIGIL_EVENTS_SECRET (both or neither): events are signed and sent to
   * `{url}/ingest/events`, and the edge forwards `/api/*` and the dashboard to `url`. The URL is
   * kept without a trailing slash.
   */
  readonly backplane: { readonly url: string; readonly eventsSecret: string } | null;
  /**
   * VIGIL_RULES_SYNC_MS: how often the edge asks the backplane for the rules and lists in force
   * (default 1,000; changes reach the edge within this plus one sync's round trip).
   */
  readonly rulesSyncMs: number;
  /** VIGIL_HUB_SECRET: the bearer secret of `POST /internal/hub/publish`; unset → that route 404s. */
  readonly hubSecret: string | null;
  /** VIGIL_SESSION_SECRET: verifies browsers' `vigil_session` cookies on `/v1/live`. */
  readonly sessionSecret: string | null;
  /**
   * VIGIL_ANALYST_KEYS: bearer keys for the analysts' side (`/v1/live`); empty when unset, and
   * then VIGIL_API_KEYS serve there too.
   */
  readonly analystKeys: readonly string[];
  /** VIGIL_OUTBOX_CAPACITY: events the edge holds for the backplane (Workers: the EventOutbox DO; Node with VIGIL_OUTBOX_DIR=off; default 100,000). */
  readonly outboxCapacity: number;
  /**
   * VIGIL_OUTBOX_DIR: Node: the outbox (LMDB), which keeps what is undelivered across restarts
   * (default `.vigil/edge-outbox`, relative to the working directory); null when `off` (memory
   * only).
   */
  readonly outboxDir: string | null;
  /** VIGIL_OUTBOX_SPILL_MAX_BYTES: Node: most bytes of events that outbox holds (default 1 GiB). */
  readonly outboxSpillMaxBytes: number;
  /** VIGIL_HUB_URL: the LiveHub the Node edge forwards `/v1/live` to (the browser's one origin). */
  readonly hubUrl: string | null;
  /** VIGIL_HUB_RETAIN: events the LiveHub keeps for resuming clients (default 10,000). */
  readonly hubRetainedEvents: number;
}

// Re-exported: the runtimes and scripts import them with loadConfig.
export { ConfigError, type Env } from '@vigil/core';

export const DEFAULT_PORT = 8787;
/**
 * Room for a 30 s backplane outage at 3,000 events/s. A decision event is ~1.6 kB of JSON and
 * ~2.5 kB of heap, so a full outbox holds ~250 MB.
 */
export const DEFAULT_OUTBOX_CAPACITY = 100_000;
export const DEFAULT_OUTBOX_DIR = '.vigil/edge-outbox';
export const DEFAULT_FEATURE_STORE_DIR = '.vigil/edge-features';
export const FEATURE_STORE_KINDS = ['memory', 'durable'] as const;
export type FeatureStoreKind = (typeof FEATURE_STORE_KINDS)[number];
/** ~650,000 decision events of ~1.6 kB. */
export const DEFAULT_OUTBOX_SPILL_MAX_BYTES = 1_073_741_824;
export const DEFAULT_FEATURE_TIMEOUT_MS = 30;
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;

/** Core names no runtime global; both of the edge's runtimes have WHATWG URL. */
const parseUrl: ParseUrl = (s) => new URL(s);

function backplane(env: Env): EdgeConfig['backplane'] {
  const u = envUrl(env, 'VIGIL_BACKPLANE_URL', ['http:', 'https:'], parseUrl);
  const eventsSecret = envSecret(env, 'VIGIL_EVENTS_SECRET');
  if (u === null && eventsSecret === null) return null;
  if (u === null) {
    throw new ConfigError('VIGIL_BACKPLANE_URL', 'is required when VIGIL_EVENTS_SECRET is set');
  }
  if (eventsSecret === null) {
    throw new ConfigError('VIGIL_EVENTS_SECRET', 'is required when VIGIL_BACKPLANE_URL is set');
  }
  if (new URL(u).search !== '') {
    throw new ConfigError('VIGIL_BACKPLANE_URL', 'must not have a query string');
  }
  return { url: u.replace(/\/+$/, ''), eventsSecret };
}

function corsOrigins(env: Env): string[] {
  return envList(env, 'VIGIL_CORS_ORIGINS').map((o) => {
    let u: URL | undefined;
    try {
      u = new URL(o);
    } catch {
      u = undefined;
    }
    // Exact origins only: a wildcard would let any page call the API with a leaked key.
    if (!u || u.origin !== o || !/^https?:$/.test(u.protocol)) {
      throw new ConfigError(
        'VIGIL_CORS_ORIGINS',
        `entries must be origins such as https://app.example.com, got '${o}'`,
      );
    }
    return o;
  });
}

function featureStore(env: Env): FeatureStoreKind | null {
  const v = envValue(env, 'VIGIL_FEATURE_STORE');
  if (v === undefined) return null;
  const kind = FEATURE_STORE_KINDS.find((k) => k === v.toLowerCase());
  if (!kind) {
    throw new ConfigError('VIGIL_FEATURE_STORE', `must be memory or durable, got '${v}'`);
  }
  return kind;
}

/** Any path: whether it can be used is learnt by using it (the Node runtime, at start-up). */
function outboxDir(env: Env): string | null {
  const dir = envValue(env, 'VIGIL_OUTBOX_DIR') ?? DEFAULT_OUTBOX_DIR;
  // A directory really named "off" can still be had as ./off.
  return dir.toLowerCase() === 'off' ? null : dir;
}

function upstash(env: Env): EdgeConfig['upstash'] {
  const u = envUrl(env, 'UPSTASH_REDIS_REST_URL', ['http:', 'https:'], parseUrl);
  const token = envValue(env, 'UPSTASH_REDIS_REST_TOKEN');
  if (u === null && token === undefined) return null;
  if (u === null)
    throw new ConfigError(
      'UPSTASH_REDIS_REST_URL',
      'is required when UPSTASH_REDIS_REST_TOKEN is set',
    );
  if (token === undefined)
    throw new ConfigError(
      'UPSTASH_REDIS_REST_TOKEN',
      'is required when UPSTASH_REDIS_REST_URL is set',
    );
  return { url: u, token };
}

/** Read and validate the edge's configuration; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env): EdgeConfig {
  const config: EdgeConfig = {
    port: envInteger(env, 'PORT', DEFAULT_PORT, 0, 65_535),
    host: envValue(env, 'VIGIL_HOST') ?? '127.0.0.1',
    apiKeys: envBearerKeys(env, 'VIGIL_API_KEYS'),
    upstash: upstash(env),
    redisUrl: envUrl(env, 'REDIS_URL', ['redis:', 'rediss:'], parseUrl),
    featureTimeoutMs: envInteger(
      env,
      'VIGIL_FEATURE_TIMEOUT_MS',
      DEFAULT_FEATURE_TIMEOUT_MS,
      1,
      10_000,
    ),
    featureStore: featureStore(env),
    featureStoreDir: envValue(env, 'VIGIL_FEATURE_STORE_DIR') ?? DEFAULT_FEATURE_STORE_DIR,
    corsOrigins: corsOrigins(env),
    maxBodyBytes: envInteger(
      env,
      'VIGIL_MAX_BODY_BYTES',
      DEFAULT_MAX_BODY_BYTES,
      1_024,
      67_108_864,
    ),
    requestTimeoutMs: envRequestTimeoutMs(env),
    backplane: backplane(env),
    rulesSyncMs: envInteger(env, 'VIGIL_RULES_SYNC_MS', 1_000, 100, 4_000),
    hubSecret: envSecret(env, 'VIGIL_HUB_SECRET'),
    sessionSecret: envSecret(env, 'VIGIL_SESSION_SECRET'),
    analystKeys: envBearerKeys(env, 'VIGIL_ANALYST_KEYS'),
    outboxCapacity: envInteger(
      env,
      'VIGIL_OUTBOX_CAPACITY',
      DEFAULT_OUTBOX_CAPACITY,
      1_000,
      10_000_000,
    ),
    outboxDir: outboxDir(env),
    outboxSpillMaxBytes: envInteger(
      env,
      'VIGIL_OUTBOX_SPILL_MAX_BYTES',
      DEFAULT_OUTBOX_SPILL_MAX_BYTES,
      1_048_576,
      1_099_511_627_776,
    ),
    hubUrl: envUrl(env, 'VIGIL_HUB_URL', ['http:', 'https:'], parseUrl),
    hubRetainedEvents: envInteger(env, 'VIGIL_HUB_RETAIN', HUB_RETAINED_EVENTS, 1, 1_000_000),
  };
  if (config.upstash && config.redisUrl) {
    throw new ConfigError(
      'REDIS_URL',
      'and UPSTASH_REDIS_REST_URL are both set: choose one feature store',
    );
  }
  return config;
}
