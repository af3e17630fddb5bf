/**
 * The backplane's configuration: one typed object from an environment record (process.env), read
 * once by main.ts, never at import. Fails fast naming the variable (and never echoing a secret).
 * An empty value counts as unset, as in .env files.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DECISIONS_TOPIC, FEEDBACK_TOPIC } from '@vigil/core';

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
  /** VIGIL_LOG_LEVEL: pino level (default info). */
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export type Env = Readonly<Record<string, string | undefined>>;

/** A configuration variable is invalid; `variable` names it. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_BACKPLANE_PORT = 8788;
export const DEFAULT_KAFKA_PARTITIONS = 6;
export const DEFAULT_MAX_BODY_BYTES = 8 * 1_048_576;
/** Shortest secret or key accepted: a guessable one is none. */
export const MIN_SECRET_LENGTH = 16;
/** The repository root, for the defaults of VIGIL_DATA_DIR and VIGIL_WEB_DIST. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return n;
}

function list(env: Env, name: string): string[] {
  return (value(env, name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function url(env: Env, name: string, protocols: readonly string[]): string | null {
  const raw = value(env, name);
  if (raw === undefined) return null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a URL');
  }
  if (!protocols.includes(u.protocol)) {
    throw new ConfigError(name, `must be a ${protocols.join(' or ')} URL, got ${u.protocol}`);
  }
  return raw;
}

function secret(env: Env, name: string): string | null {
  const v = value(env, name);
  if (v === undefined) return null;
  if (v.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(name, `must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return v;
}

function keys(env: Env, name: string): string[] {
  const ks = list(env, name);
  ks.forEach((k, i) => {
    // The key itself is never echoed: only which one is wrong.
    if (!B64TOKEN.test(k)) {
      throw new ConfigError(name, `key #${i + 1} has characters a bearer token cannot`);
    }
    if (k.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(name, `key #${i + 1} is shorter than ${MIN_SECRET_LENGTH} characters`);
    }
  });
  return ks;
}

function brokers(env: Env): string[] | null {
  const bs = list(env, 'KAFKA_BROKERS');
  if (bs.length === 0) return null;
  for (const b of bs) {
    if (!/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(b)) {
      throw new ConfigError('KAFKA_BROKERS', `entries must be host:port, got '${b}'`);
    }
  }
  return bs;
}

function roles(env: Env): BackplaneRole[] {
  const raw = list(env, 'VIGIL_BACKPLANE_ROLES');
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
  const u = url(env, 'VIGIL_HUB_URL', ['http:', 'https:']);
  const s = secret(env, 'VIGIL_HUB_SECRET');
  if (u === null && s === null) return null;
  if (u === null)
    throw new ConfigError('VIGIL_HUB_URL', 'is required when VIGIL_HUB_SECRET is set');
  if (s === null)
    throw new ConfigError('VIGIL_HUB_SECRET', 'is required when VIGIL_HUB_URL is set');
  return { url: u.replace(/\/+$/, ''), secret: s };
}

function path(env: Env, name: string, fallback: string): string {
  const v = value(env, name);
  return v === undefined ? fallback : isAbsolute(v) ? v : resolve(v);
}

function topicPrefix(env: Env): string {
  const p = value(env, 'VIGIL_TOPIC_PREFIX') ?? '';
  if (!/^[A-Za-z0-9._-]{0,100}$/.test(p)) {
    throw new ConfigError('VIGIL_TOPIC_PREFIX', 'may hold only letters, digits, . _ and -');
  }
  return p;
}

/** Read and validate the backplane's configuration; throws ConfigError naming the variable. */
export function loadConfig(env: Env, root: string = REPO_ROOT): BackplaneConfig {
  const prefix = topicPrefix(env);
  const level = value(env, 'VIGIL_LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError('VIGIL_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const config: BackplaneConfig = {
    port: integer(env, 'VIGIL_BACKPLANE_PORT', DEFAULT_BACKPLANE_PORT, 0, 65_535),
    host: value(env, 'VIGIL_HOST') ?? '127.0.0.1',
    roles: roles(env),
    kafkaBrokers: brokers(env),
    kafkaPartitions: integer(env, 'VIGIL_KAFKA_PARTITIONS', DEFAULT_KAFKA_PARTITIONS, 1, 1_000),
    topics: { decisions: prefix + DECISIONS_TOPIC, feedback: prefix + FEEDBACK_TOPIC },
    consumerGroup: `${prefix}vigil-backplane`,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: path(env, 'VIGIL_DATA_DIR', resolve(root, '.vigil')),
    eventsSecret: secret(env, 'VIGIL_EVENTS_SECRET'),
    hub: hub(env),
    apiKeys: keys(env, 'VIGIL_API_KEYS'),
    analystKeys: keys(env, 'VIGIL_ANALYST_KEYS'),
    sessionSecret: secret(env, 'VIGIL_SESSION_SECRET'),
    edgeUrl: url(env, 'VIGIL_EDGE_URL', ['http:', 'https:']),
    webDist: path(env, 'VIGIL_WEB_DIST', resolve(root, 'web/dist')),
    maxBodyBytes: integer(
      env,
      'VIGIL_INGEST_MAX_BYTES',
      DEFAULT_MAX_BODY_BYTES,
      1_024,
      268_435_456,
    ),
    logLevel: level as BackplaneConfig['logLevel'],
  };
  if (config.roles.includes('ingest') && config.eventsSecret === null) {
    throw new ConfigError(
      'VIGIL_EVENTS_SECRET',
      'is required for the ingest role (the edge signs its event batches with it)',
    );
  }
  return config;
}
