/** The CLI's configuration, read from the environment in one place. */

export interface UpstashRestConfig {
  redisUrl: string;
  token: string;
  port: number;
  host: string;
}

/** A missing or invalid variable; `variable` names it. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

function required(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') throw new ConfigError(name, 'is required but not set');
  return value;
}

/**
 * Reads REDIS_URL, UPSTASH_REST_TOKEN, UPSTASH_REST_PORT and, optionally, UPSTASH_REST_HOST
 * (default 127.0.0.1); throws a ConfigError naming the first bad variable.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): UpstashRestConfig {
  const redisUrl = required(env, 'REDIS_URL');
  if (!/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError('REDIS_URL', `must start with redis:// or rediss://, got "${redisUrl}"`);
  }
  const token = required(env, 'UPSTASH_REST_TOKEN');
  const portText = required(env, 'UPSTASH_REST_PORT');
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new ConfigError(
      'UPSTASH_REST_PORT',
      `must be a port number from 0 to 65535, got "${portText}"`,
    );
  }
  const host = env['UPSTASH_REST_HOST']?.trim() || '127.0.0.1';
  return { redisUrl, token, port, host };
}
