import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const env = {
  REDIS_URL: 'redis://127.0.0.1:6390',
  UPSTASH_REST_TOKEN: 'secret',
  UPSTASH_REST_PORT: '8079',
};

describe('loadConfig', () => {
  it('reads the three variables, host defaulting to 127.0.0.1', () => {
    expect(loadConfig(env)).toEqual({
      redisUrl: 'redis://127.0.0.1:6390',
      token: 'secret',
      port: 8079,
      host: '127.0.0.1',
    });
  });

  it.each(['REDIS_URL', 'UPSTASH_REST_TOKEN', 'UPSTASH_REST_PORT'])(
    'fails naming %s when it is missing',
    (name) => {
      const without = { ...env, [name]: undefined };
      expect(() => loadConfig(without)).toThrow(ConfigError);
      expect(() => loadConfig(without)).toThrow(new RegExp(`^${name}: is required`));
    },
  );

  it('fails naming the variable when a value is invalid', () => {
    expect(() => loadConfig({ ...env, UPSTASH_REST_PORT: '80a' })).toThrow(
      /^UPSTASH_REST_PORT: must be a port/,
    );
    expect(() => loadConfig({ ...env, UPSTASH_REST_PORT: '70000' })).toThrow(/^UPSTASH_REST_PORT/);
    expect(() => loadConfig({ ...env, REDIS_URL: 'http://x' })).toThrow(
      /^REDIS_URL: must start with redis/,
    );
  });
});
