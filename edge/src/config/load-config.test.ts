import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';

const KEY = 'k_0123456789abcdef';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 8787,
      host: '127.0.0.1',
      apiKeys: [],
      upstash: null,
      redisUrl: null,
      featureTimeoutMs: 30,
      featureStore: null,
      featureStoreDir: '.vigil/edge-features',
      corsOrigins: [],
      maxBodyBytes: 1_048_576,
      requestTimeoutMs: 10_000,
      backplane: null,
      rulesSyncMs: 1_000,
      hubSecret: null,
      sessionSecret: null,
      analystKeys: [],
      outboxCapacity: 100_000,
      outboxDir: '.vigil/edge-outbox',
      outboxSpillMaxBytes: 1_073_741_824,
      hubUrl: null,
      hubRetainedEvents: 10_000,
    });
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        PORT: '9000',
        VIGIL_HOST: '0.0.0.0',
        VIGIL_API_KEYS: ` ${KEY} ,, other_key_0123456789 `,
        UPSTASH_REDIS_REST_URL: 'https://eu1.upstash.io',
        UPSTASH_REDIS_REST_TOKEN: 'tok',
        VIGIL_FEATURE_TIMEOUT_MS: '50',
        VIGIL_FEATURE_STORE: 'Durable',
        VIGIL_FEATURE_STORE_DIR: ' /var/lib/vigil/features ',
        VIGIL_CORS_ORIGINS: 'https://a.example.com,http://localhost:3000',
        VIGIL_MAX_BODY_BYTES: '2048',
        VIGIL_REQUEST_TIMEOUT_MS: '3000',
        VIGIL_BACKPLANE_URL: 'http://127.0.0.1:8788/',
        VIGIL_EVENTS_SECRET: 'events-secret-0123456789',
        VIGIL_HUB_SECRET: 'hub-secret-0123456789',
        VIGIL_SESSION_SECRET: 'session-secret-0123456789',
        VIGIL_ANALYST_KEYS: 'analyst_key_0123456789',
        VIGIL_OUTBOX_CAPACITY: '5000',
        VIGIL_OUTBOX_DIR: ' /var/lib/vigil/outbox ',
        VIGIL_OUTBOX_SPILL_MAX_BYTES: '2097152',
        VIGIL_HUB_URL: 'http://127.0.0.1:8790',
        VIGIL_HUB_RETAIN: '50',
        VIGIL_RULES_SYNC_MS: '500',
      }),
    ).toEqual({
      port: 9000,
      host: '0.0.0.0',
      apiKeys: [KEY, 'other_key_0123456789'],
      upstash: { url: 'https://eu1.upstash.io', token: 'tok' },
      redisUrl: null,
      featureTimeoutMs: 50,
      featureStore: 'durable',
      featureStoreDir: '/var/lib/vigil/features',
      corsOrigins: ['https://a.example.com', 'http://localhost:3000'],
      maxBodyBytes: 2048,
      requestTimeoutMs: 3_000,
      backplane: { url: 'http://127.0.0.1:8788', eventsSecret: 'events-secret-0123456789' },
      rulesSyncMs: 500,
      hubSecret: 'hub-secret-0123456789',
      sessionSecret: 'session-secret-0123456789',
      analystKeys: ['analyst_key_0123456789'],
      outboxCapacity: 5000,
      outboxDir: '/var/lib/vigil/outbox',
      outboxSpillMaxBytes: 2_097_152,
      hubUrl: 'http://127.0.0.1:8790',
      hubRetainedEvents: 50,
    });
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl).toBe(
      'redis://127.0.0.1:6379',
    );
  });

  it('turns the outbox on disk off with VIGIL_OUTBOX_DIR=off (any case), and only with that', () => {
    expect(loadConfig({ VIGIL_OUTBOX_DIR: 'off' }).outboxDir).toBeNull();
    expect(loadConfig({ VIGIL_OUTBOX_DIR: 'OFF' }).outboxDir).toBeNull();
    expect(loadConfig({ VIGIL_OUTBOX_DIR: './off' }).outboxDir).toBe('./off');
    expect(loadConfig({ VIGIL_OUTBOX_DIR: '' }).outboxDir).toBe('.vigil/edge-outbox');
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', VIGIL_API_KEYS: ' ' })).toMatchObject({
      port: 8787,
      apiKeys: [],
    });
  });

  it.each([
    [{ PORT: '80a' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ VIGIL_FEATURE_TIMEOUT_MS: '0' }, 'VIGIL_FEATURE_TIMEOUT_MS'],
    [{ VIGIL_FEATURE_TIMEOUT_MS: '2.5' }, 'VIGIL_FEATURE_TIMEOUT_MS'],
    [{ VIGIL_MAX_BODY_BYTES: '10' }, 'VIGIL_MAX_BODY_BYTES'],
    [{ VIGIL_FEATURE_STORE: 'disk' }, 'VIGIL_FEATURE_STORE'],
    [{ VIGIL_REQUEST_TIMEOUT_MS: '50' }, 'VIGIL_REQUEST_TIMEOUT_MS'],
    [{ VIGIL_API_KEYS: 'short' }, 'VIGIL_API_KEYS'],
    [{ VIGIL_API_KEYS: 'has space in the key!!' }, 'VIGIL_API_KEYS'],
    [{ UPSTASH_REDIS_REST_URL: 'https://x.upstash.io' }, 'UPSTASH_REDIS_REST_TOKEN'],
    [{ UPSTASH_REDIS_REST_TOKEN: 't' }, 'UPSTASH_REDIS_REST_URL'],
    [
      { UPSTASH_REDIS_REST_URL: 'not a url', UPSTASH_REDIS_REST_TOKEN: 't' },
      'UPSTASH_REDIS_REST_URL',
    ],
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL'],
    [{ VIGIL_CORS_ORIGINS: 'https://a.example.com/path' }, 'VIGIL_CORS_ORIGINS'],
    [{ VIGIL_CORS_ORIGINS: '*' }, 'VIGIL_CORS_ORIGINS'],
    [
      {
        REDIS_URL: 'redis://127.0.0.1:6379',
        UPSTASH_REDIS_REST_URL: 'https://x.upstash.io',
        UPSTASH_REDIS_REST_TOKEN: 't',
      },
      'REDIS_URL',
    ],
    [{ VIGIL_BACKPLANE_URL: 'http://127.0.0.1:8788' }, 'VIGIL_EVENTS_SECRET'],
    [{ VIGIL_EVENTS_SECRET: 'events-secret-0123456789' }, 'VIGIL_BACKPLANE_URL'],
    [
      { VIGIL_BACKPLANE_URL: 'ftp://x', VIGIL_EVENTS_SECRET: 'events-secret-0123456789' },
      'VIGIL_BACKPLANE_URL',
    ],
    [{ VIGIL_BACKPLANE_URL: 'http://x', VIGIL_EVENTS_SECRET: 'short' }, 'VIGIL_EVENTS_SECRET'],
    [{ VIGIL_HUB_SECRET: 'short' }, 'VIGIL_HUB_SECRET'],
    [{ VIGIL_SESSION_SECRET: 'short' }, 'VIGIL_SESSION_SECRET'],
    [{ VIGIL_ANALYST_KEYS: 'short' }, 'VIGIL_ANALYST_KEYS'],
    [{ VIGIL_OUTBOX_CAPACITY: '10' }, 'VIGIL_OUTBOX_CAPACITY'],
    [{ VIGIL_OUTBOX_SPILL_MAX_BYTES: '1024' }, 'VIGIL_OUTBOX_SPILL_MAX_BYTES'],
    [{ VIGIL_OUTBOX_SPILL_MAX_BYTES: '1GiB' }, 'VIGIL_OUTBOX_SPILL_MAX_BYTES'],
    [{ VIGIL_OUTBOX_SPILL_MAX_BYTES: '2000000000000' }, 'VIGIL_OUTBOX_SPILL_MAX_BYTES'],
    [{ VIGIL_HUB_URL: 'ws://127.0.0.1:1' }, 'VIGIL_HUB_URL'],
    [{ VIGIL_HUB_RETAIN: '0' }, 'VIGIL_HUB_RETAIN'],
  ])('fails on %j naming %s', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message.startsWith(variable)).toBe(true);
  });

  it('never echoes a secret in its errors', () => {
    expect(() => loadConfig({ VIGIL_HUB_SECRET: 'tiny-secret' })).not.toThrow(/tiny-secret/);
  });

  it('never echoes an API key in its errors', () => {
    expect(() => loadConfig({ VIGIL_API_KEYS: `${KEY},secret` })).toThrow(/key #2/);
    expect(() => loadConfig({ VIGIL_API_KEYS: `${KEY},secret` })).not.toThrow(/secret/);
  });
});
