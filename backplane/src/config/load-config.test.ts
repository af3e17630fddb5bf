import { describe, expect, it } from 'vitest';
import { ConfigError, envLogLevel, loadConfig } from './load-config.js';

const SECRET = 'events-secret-0123456789';

function fails(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, '/repo');
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('loadConfig did not fail');
}

describe('loadConfig', () => {
  it('has embedded defaults: in-process log, PGlite under .vigil, the contract topics', () => {
    const c = loadConfig({ VIGIL_EVENTS_SECRET: SECRET }, '/repo');
    expect(c).toMatchObject({
      port: 8788,
      host: '127.0.0.1',
      roles: ['ingest', 'consumer', 'api'],
      kafkaBrokers: null,
      databaseUrl: null,
      dataDir: '/repo/.vigil',
      webDist: '/repo/web/dist',
      topics: { decisions: 'vigil.decisions.v1', feedback: 'vigil.feedback.v1' },
      consumerGroup: 'vigil-backplane',
      hub: null,
      kafkaPartitions: 6,
      requestTimeoutMs: 10_000,
    });
  });

  it('reads every variable', () => {
    const c = loadConfig(
      {
        VIGIL_BACKPLANE_PORT: '9000',
        VIGIL_HOST: '0.0.0.0',
        KAFKA_BROKERS: 'k1:9092, k2:9092',
        DATABASE_URL: 'postgres://u:p@db:5432/vigil',
        VIGIL_EVENTS_SECRET: SECRET,
        VIGIL_HUB_URL: 'https://vigil.example.com/',
        VIGIL_HUB_SECRET: 'hub-secret-0123456789',
        VIGIL_API_KEYS: 'key-aaaaaaaaaaaaaaaa,key-bbbbbbbbbbbbbbbb',
        VIGIL_ANALYST_KEYS: 'key-cccccccccccccccc',
        VIGIL_SESSION_SECRET: 'session-secret-0123456789',
        VIGIL_EDGE_URL: 'http://127.0.0.1:8787',
        VIGIL_DATA_DIR: '/data',
        VIGIL_WEB_DIST: '/www',
        VIGIL_TOPIC_PREFIX: 'test1.',
        VIGIL_BACKPLANE_ROLES: 'consumer',
        VIGIL_KAFKA_PARTITIONS: '12',
        VIGIL_LOG_LEVEL: 'debug',
        VIGIL_REQUEST_TIMEOUT_MS: '3000',
      },
      '/repo',
    );
    expect(c).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      kafkaBrokers: ['k1:9092', 'k2:9092'],
      databaseUrl: 'postgres://u:p@db:5432/vigil',
      hub: { url: 'https://vigil.example.com', secret: 'hub-secret-0123456789' },
      apiKeys: ['key-aaaaaaaaaaaaaaaa', 'key-bbbbbbbbbbbbbbbb'],
      analystKeys: ['key-cccccccccccccccc'],
      sessionSecret: 'session-secret-0123456789',
      edgeUrl: 'http://127.0.0.1:8787',
      dataDir: '/data',
      webDist: '/www',
      topics: { decisions: 'test1.vigil.decisions.v1', feedback: 'test1.vigil.feedback.v1' },
      consumerGroup: 'test1.vigil-backplane',
      roles: ['consumer'],
      kafkaPartitions: 12,
      logLevel: 'debug',
      requestTimeoutMs: 3_000,
    });
  });

  it.each([
    [{}, 'VIGIL_EVENTS_SECRET'],
    [{ VIGIL_EVENTS_SECRET: 'short' }, 'VIGIL_EVENTS_SECRET'],
    [{ VIGIL_EVENTS_SECRET: SECRET, VIGIL_BACKPLANE_PORT: '70000' }, 'VIGIL_BACKPLANE_PORT'],
    [{ VIGIL_EVENTS_SECRET: SECRET, KAFKA_BROKERS: 'kafka' }, 'KAFKA_BROKERS'],
    [{ VIGIL_EVENTS_SECRET: SECRET, DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ VIGIL_EVENTS_SECRET: SECRET, VIGIL_HUB_URL: 'http://hub' }, 'VIGIL_HUB_SECRET'],
    [{ VIGIL_EVENTS_SECRET: SECRET, VIGIL_HUB_SECRET: 'hub-secret-0123456789' }, 'VIGIL_HUB_URL'],
    [{ VIGIL_EVENTS_SECRET: SECRET, VIGIL_API_KEYS: 'short' }, 'VIGIL_API_KEYS'],
    [{ VIGIL_EVENTS_SECRET: SECRET, VIGIL_BACKPLANE_ROLES: 'api,web' }, 'VIGIL_BACKPLANE_ROLES'],
    [{ VIGIL_EVENTS_SECRET: SECRET, VIGIL_TOPIC_PREFIX: 'a b' }, 'VIGIL_TOPIC_PREFIX'],
    [{ VIGIL_EVENTS_SECRET: SECRET, VIGIL_LOG_LEVEL: 'loud' }, 'VIGIL_LOG_LEVEL'],
    [{ VIGIL_EVENTS_SECRET: SECRET, VIGIL_REQUEST_TIMEOUT_MS: '50' }, 'VIGIL_REQUEST_TIMEOUT_MS'],
  ])('fails fast naming the variable: %j', (env, variable) => {
    const e = fails(env);
    expect(e.variable).toBe(variable);
    expect(e.message.startsWith(variable)).toBe(true);
  });

  it('needs no events secret without the ingest role, and never echoes a secret', () => {
    expect(loadConfig({ VIGIL_BACKPLANE_ROLES: 'consumer,api' }, '/repo').eventsSecret).toBeNull();
    const e = fails({ VIGIL_EVENTS_SECRET: 'tiny-secret' });
    expect(e.message).not.toContain('tiny-secret');
  });
});

describe('envLogLevel', () => {
  it("is the given default when unset or blank, else the level named (npm start's default is warn)", () => {
    expect(envLogLevel({}, 'warn')).toBe('warn');
    expect(envLogLevel({ VIGIL_LOG_LEVEL: ' ' }, 'warn')).toBe('warn');
    expect(envLogLevel({ VIGIL_LOG_LEVEL: ' debug ' }, 'warn')).toBe('debug');
  });

  it('refuses a level pino does not know, naming the variable and the levels it takes', () => {
    expect(() => envLogLevel({ VIGIL_LOG_LEVEL: 'loud' }, 'warn')).toThrow(
      "VIGIL_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got 'loud'",
    );
  });
});

describe('VIGIL_RETENTION_DAYS', () => {
  const base = { VIGIL_EVENTS_SECRET: SECRET };
  it('defaults to 30 days on the embedded PGlite and to keeping everything with DATABASE_URL', () => {
    expect(loadConfig(base, '/repo').retentionDays).toBe(45);
    expect(
      loadConfig({ ...base, DATABASE_URL: 'postgres://u:p@db:5432/vigil' }, '/repo').retentionDays,
    ).toBe(0);
  });
  it('takes a number of days, 0 for ever', () => {
    expect(loadConfig({ ...base, VIGIL_RETENTION_DAYS: '7' }, '/repo').retentionDays).toBe(7);
    expect(loadConfig({ ...base, VIGIL_RETENTION_DAYS: '0' }, '/repo').retentionDays).toBe(0);
  });
  it.each(['-1', '1.5', '30d', '40000', 'forever'])('refuses %s naming the variable', (v) => {
    expect(() => loadConfig({ ...base, VIGIL_RETENTION_DAYS: v }, '/repo')).toThrow(
      /^VIGIL_RETENTION_DAYS must be an integer from 0 to 36500/,
    );
  });
});

describe('VIGIL_BLOCK_ON_FRAUD_DAYS', () => {
  const base = { VIGIL_EVENTS_SECRET: SECRET };
  it('defaults to 90 days and takes 0 for never', () => {
    expect(loadConfig(base, '/repo').blockOnFraudDays).toBe(90);
    expect(loadConfig({ ...base, VIGIL_BLOCK_ON_FRAUD_DAYS: '0' }, '/repo').blockOnFraudDays).toBe(
      0,
    );
  });
  it.each(['-1', '2.5', '90d'])('refuses %s naming the variable', (v) => {
    expect(() => loadConfig({ ...base, VIGIL_BLOCK_ON_FRAUD_DAYS: v }, '/repo')).toThrow(
      /^VIGIL_BLOCK_ON_FRAUD_DAYS must be an integer/,
    );
  });
});

describe('VIGIL_DRIFT_WINDOW_MINUTES', () => {
  const base = { VIGIL_EVENTS_SECRET: SECRET };
  it('defaults to 60 minutes', () => {
    expect(loadConfig(base, '/repo').driftWindowMinutes).toBe(60);
    expect(
      loadConfig({ ...base, VIGIL_DRIFT_WINDOW_MINUTES: '1440' }, '/repo').driftWindowMinutes,
    ).toBe(1440);
  });
  it.each(['0', '-5', '1h'])('refuses %s naming the variable', (v) => {
    expect(() => loadConfig({ ...base, VIGIL_DRIFT_WINDOW_MINUTES: v }, '/repo')).toThrow(
      /^VIGIL_DRIFT_WINDOW_MINUTES must be an integer/,
    );
  });
});
