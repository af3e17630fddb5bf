/**
 * The backplane's configuration: one typed object from an environment record (process.env), read
 * once by main.ts, never at import. Fails fast naming the variable (and never echoing a secret).
 * An empty value counts as unset, as in .env files. The readers (envValue, envSecret, …) are
 * core's, shared with the edge, so a variable both read is read and refused the same way.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  DECISIONS_TOPIC,
  envBearerKeys,
  envInteger,
  envRequestTimeoutMs,
  envList,
  envSecret,
  envUrl,
  envValue,
  FEEDBACK_TOPIC,
  type Env,
  type ParseUrl,
} from '@vigil/core';

/** What one backplane process does; all three by default (VIGIL_BACKPLANE_ROLES). */
export const BACKPLANE_ROLES = ['ingest', 'consumer', 'api'] as const;
export type BackplaneRole = (typeof BACKPLANE_ROLES)[number];

export interface BackplaneConfig {
  /** VIGIL_BACKPLANE_PORT: where the backplane listens (default 8788; 0 = any free port). */
  readonly port: number;
  /** VIGIL_HOST: bind address (default 127.0.0.1: loopback only). */
  readonly host: string;
  /** VIGIL_BACKPLANE_ROLES: comma-separated subset of ingest, consumer, api (default all). */
  readonly roles: readonly BackplaneRole[];
  /** KAFKA_BROKERS: comma-separated host:port; null → the in-process log (not durable). */
  readonly kafkaBrokers: readonly string[] | null;
  /** VIGIL_KAFKA_PARTITIONS: partitions of each topic when the backplane creates it (default 6). */
  readonly kafkaPartitions: number;
  /** The two topics: the contract's names, behind VIGIL_TOPIC_PREFIX (tests only). */
  readonly topics: { readonly decisions: string; readonly feedback: string };
  /** The consumer group (VIGIL_TOPIC_PREFIX + 'vigil-backplane'). */
  readonly consumerGroup: string;
  /** DATABASE_URL: postgres:// URL; null → embedded PGlite under dataDir/pgdata. */
  readonly databaseUrl: string | null;
  /** VIGIL_DATA_DIR: where embedded state lives (default <repo>/.vigil; PGlite in ./pgdata). */
  readonly dataDir: string;
  /** VIGIL_EVENTS_SECRET: HMAC key of ingest batches; required with the ingest role. */
  readonly eventsSecret: string | null;
  /** VIGIL_HUB_URL + VIGIL_HUB_SECRET (both or neither); null → no live publishing. */
  readonly hub: { readonly url: string; readonly secret: string } | null;
  /** VIGIL_API_KEYS: bearer keys for programs (the analysts' API, /metrics). */
  readonly apiKeys: readonly string[];
  /** VIGIL_ANALYST_KEYS: bearer keys for the analysts' API where set (else VIGIL_API_KEYS). */
  readonly analystKeys: readonly string[];
  /** VIGIL_SESSION_SECRET: HMAC key of browser sessions (the analysts' API). */
  readonly sessionSecret: string | null;
  /** VIGIL_EDGE_URL: the edge's origin, for the analysts' API (simulated traffic). */
  readonly edgeUrl: string | null;
  /** VIGIL_WEB_DIST: the dashboard's static build served at / (default <repo>/web/dist). */
  readonly webDist: string;
  /** VIGIL_INGEST_MAX_BYTES: largest ingest body (default 8 MiB; 2,000 events fit in ~3 MiB). */
  readonly maxBodyBytes: number;
  /**
   * VIGIL_REQUEST_TIMEOUT_MS: time a client has to send a whole request, headers and body
   * (default 10 s). Past it the server answers 408 and closes the connection.
   */
  readonly requestTimeoutMs: number;
  /** VIGIL_LOG_LEVEL: pino level (default info). */
  readonly logLevel: LogLevel;
  /**
   * VIGIL_RETENTION_DAYS: days an unlabelled decision without a case is kept (0 = for ever);
   * default 45 on the embedded PGlite, 0 with DATABASE_URL (docs/operations.md says why).
   */
  readonly retentionDays: number;
  /**
   * VIGIL_BLOCK_ON_FRAUD_DAYS: days a confirmed fraud (an analyst's verdict or POST /v1/feedback)
   * puts the transaction's card on blocked_customers (default 90; 0 = never).
   */
  readonly blockOnFraudDays: number;
  /**
   * VIGIL_DRIFT_WINDOW_MINUTES: the window of stored decisions the hourly drift job compares with
   * the champion's training reference (default 60; docs/operations.md).
   */
  readonly driftWindowMinutes: number;
  /**
   * VIGIL_BACKTEST_TIMEOUT_MS: the longest a rule backtest (POST /api/rules/backtest) may run,
   * each of its statements and the whole (default 30 s); past it the backtest stops with a 503.
   */
  readonly backtestTimeoutMs: number;
}

// Re-exported: main.ts, the tests and scripts import them with loadConfig.
export { ConfigError, type Env } from '@vigil/core';

export const DEFAULT_BACKPLANE_PORT = 8788;
export const DEFAULT_KAFKA_PARTITIONS = 6;
export const DEFAULT_MAX_BODY_BYTES = 8 * 1_048_576;
/**
 * Retention by default: the embedded PGlite is a laptop's disk filling at ~100 decisions a second of
 * demo traffic, so a window — 45 days, the edge's own (it takes verdicts on transactions up to 45
 * days of event time old: a shorter window would prune decisions whose late chargebacks the edge
 * still applies, and the analyst would never see them); a database of your own (DATABASE_URL) is the record that training and
 * audits read, so nothing is deleted until you choose a window.
 */
export const DEFAULT_RETENTION_DAYS_EMBEDDED = 45;
export const DEFAULT_RETENTION_DAYS_DATABASE_URL = 0;
export const DEFAULT_BLOCK_ON_FRAUD_DAYS = 90;
export const DEFAULT_DRIFT_WINDOW_MINUTES = 60;
/** 1,000,000 decisions take ~10 s (docs/benchmarks.md): 30 s leaves room on a loaded machine. */
export const DEFAULT_BACKTEST_TIMEOUT_MS = 30_000;
/** The repository root, for the defaults of VIGIL_DATA_DIR and VIGIL_WEB_DIST. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The pino levels VIGIL_LOG_LEVEL may name. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * VIGIL_LOG_LEVEL, one of LOG_LEVELS; `fallback` when unset. Shared with `npm start`, which builds
 * its logger before the backplane's loadConfig runs (pino's own refusal names no variable).
 */
export function envLogLevel(env: Env, fallback: LogLevel): LogLevel {
  const level = envValue(env, 'VIGIL_LOG_LEVEL') ?? fallback;
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(
      'VIGIL_LOG_LEVEL',
      `must be one of ${LOG_LEVELS.join(', ')}; got '${level}'`,
    );
  }
  return level as LogLevel;
}

/** Core names no runtime global; Node has WHATWG URL. */
const parseUrl: ParseUrl = (s) => new URL(s);

function brokers(env: Env): string[] | null {
  const bs = envList(env, 'KAFKA_BROKERS');
  if (bs.length === 0) return null;
  for (const b of bs) {
    if (!/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(b)) {
      throw new ConfigError('KAFKA_BROKERS', `entries must be host:port, got '${b}'`);
    }
  }
  return bs;
}

function roles(env: Env): BackplaneRole[] {
  const raw = envList(env, 'VIGIL_BACKPLANE_ROLES');
  if (raw.length === 0) return [...BACKPLANE_ROLES];
  for (const r of raw) {
    if (!(BACKPLANE_ROLES as readonly string[]).includes(r)) {
      throw new ConfigError(
        'VIGIL_BACKPLANE_ROLES',
        `entries must be ${BACKPLANE_ROLES.join(', ')}; got '${r}'`,
      );
    }
  }
  return [...new Set(raw)] as BackplaneRole[];
}

function hub(env: Env): BackplaneConfig['hub'] {
  const u = envUrl(env, 'VIGIL_HUB_URL', ['http:', 'https:'], parseUrl);
  const s = envSecret(env, 'VIGIL_HUB_SECRET');
  if (u === null && s === null) return null;
  if (u === null)
    throw new ConfigError('VIGIL_HUB_URL', 'is required when VIGIL_HUB_SECRET is set');
  if (s === null)
    throw new ConfigError('VIGIL_HUB_SECRET', 'is required when VIGIL_HUB_URL is set');
  return { url: u.replace(/\/+$/, ''), secret: s };
}

function path(env: Env, name: string, fallback: string): string {
  const v = envValue(env, name);
  return v === undefined ? fallback : isAbsolute(v) ? v : resolve(v);
}

function topicPrefix(env: Env): string {
  const p = envValue(env, 'VIGIL_TOPIC_PREFIX') ?? '';
  if (!/^[A-Za-z0-9._-]{0,100}$/.test(p)) {
    throw new ConfigError('VIGIL_TOPIC_PREFIX', 'may hold only letters, digits, . _ and -');
  }
  return p;
}

/** Read and validate the backplane's configuration; throws ConfigError naming the variable. */
export function loadConfig(env: Env, root: string = REPO_ROOT): BackplaneConfig {
  const prefix = topicPrefix(env);
  const level = envLogLevel(env, 'info');
  const config: BackplaneConfig = {
    port: envInteger(env, 'VIGIL_BACKPLANE_PORT', DEFAULT_BACKPLANE_PORT, 0, 65_535),
    host: envValue(env, 'VIGIL_HOST') ?? '127.0.0.1',
    roles: roles(env),
    kafkaBrokers: brokers(env),
    kafkaPartitions: envInteger(env, 'VIGIL_KAFKA_PARTITIONS', DEFAULT_KAFKA_PARTITIONS, 1, 1_000),
    topics: { decisions: prefix + DECISIONS_TOPIC, feedback: prefix + FEEDBACK_TOPIC },
    consumerGroup: `${prefix}vigil-backplane`,
    databaseUrl: envUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:'], parseUrl),
    dataDir: path(env, 'VIGIL_DATA_DIR', resolve(root, '.vigil')),
    eventsSecret: envSecret(env, 'VIGIL_EVENTS_SECRET'),
    hub: hub(env),
    apiKeys: envBearerKeys(env, 'VIGIL_API_KEYS'),
    analystKeys: envBearerKeys(env, 'VIGIL_ANALYST_KEYS'),
    sessionSecret: envSecret(env, 'VIGIL_SESSION_SECRET'),
    edgeUrl: envUrl(env, 'VIGIL_EDGE_URL', ['http:', 'https:'], parseUrl),
    webDist: path(env, 'VIGIL_WEB_DIST', resolve(root, 'web/dist')),
    maxBodyBytes: envInteger(
      env,
      'VIGIL_INGEST_MAX_BYTES',
      DEFAULT_MAX_BODY_BYTES,
      1_024,
      268_435_456,
    ),
    requestTimeoutMs: envRequestTimeoutMs(env),
    logLevel: level,
    retentionDays: 0,
    blockOnFraudDays: envInteger(
      env,
      'VIGIL_BLOCK_ON_FRAUD_DAYS',
      DEFAULT_BLOCK_ON_FRAUD_DAYS,
      0,
      36_500,
    ),
    driftWindowMinutes: envInteger(
      env,
      'VIGIL_DRIFT_WINDOW_MINUTES',
      DEFAULT_DRIFT_WINDOW_MINUTES,
      1,
      43_200,
    ),
    backtestTimeoutMs: envInteger(
      env,
      'VIGIL_BACKTEST_TIMEOUT_MS',
      DEFAULT_BACKTEST_TIMEOUT_MS,
      100,
      3_600_000,
    ),
  };
  const retentionDays = envInteger(
    env,
    'VIGIL_RETENTION_DAYS',
    config.databaseUrl === null
      ? DEFAULT_RETENTION_DAYS_EMBEDDED
      : DEFAULT_RETENTION_DAYS_DATABASE_URL,
    0,
    36_500,
  );
  if (config.roles.includes('ingest') && config.eventsSecret === null) {
    throw new ConfigError(
      'VIGIL_EVENTS_SECRET',
      'is required for the ingest role (the edge signs its event batches with it)',
    );
  }
  return { ...config, retentionDays };
}
