/**
 * What `npm start` reads for itself, before any part starts: where the public origin listens
 * (VIGIL_HOST, PORT) and the log level (VIGIL_LOG_LEVEL). Each is refused naming its variable, so a
 * bad value never surfaces as a library's message (pino's "default level:loud must be included in
 * custom levels"). The parts read the rest with their own loadConfig.
 */
import { isIP } from 'node:net';
import { ConfigError, envInteger, envValue, type Env } from '@vigil/core';
import { envLogLevel, type LogLevel } from '../backplane/src/config/index.js';

export const DEFAULT_PUBLIC_PORT = 8787;
/** The public origin's default address: this machine only. */
export const DEFAULT_PUBLIC_HOST = '127.0.0.1';

export interface SystemConfig {
  /**
   * VIGIL_HOST: the address the public origin (the edge) listens on, an IP address; 0.0.0.0 or ::
   * for every interface. The backplane and the Node edge's LiveHub stay on 127.0.0.1 whatever it
   * says: the edge is their only way in.
   */
  readonly host: string;
  /** PORT: the public origin's port (0 = a free one). */
  readonly port: number;
  /** VIGIL_LOG_LEVEL: the backplane's pino level; default warn, to keep the terminal for the banner. */
  readonly logLevel: LogLevel;
}

/** Read and check `npm start`'s own variables; throws ConfigError naming the variable. */
export function readSystemConfig(env: Env): SystemConfig {
  const host = envValue(env, 'VIGIL_HOST') ?? DEFAULT_PUBLIC_HOST;
  // An IP address, not a name: what a name resolves to (localhost → ::1?) is the resolver's call.
  if (isIP(host) === 0) {
    throw new ConfigError(
      'VIGIL_HOST',
      `must be an IP address to listen on — 127.0.0.1 (this machine only), 0.0.0.0 or :: (every ` +
        `interface) or one of this machine's addresses; got '${host}'`,
    );
  }
  return {
    host,
    port: envInteger(env, 'PORT', DEFAULT_PUBLIC_PORT, 0, 65_535),
    logLevel: envLogLevel(env, 'warn'),
  };
}

/**
 * The origin this machine reaches a server listening on `host:port` at: loopback for the
 * every-interface addresses (both edges listen dual-stack on ::), IPv6 in brackets.
 */
export function localOrigin(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::') return `http://127.0.0.1:${port}`;
  return `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}
