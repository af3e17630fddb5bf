import { envInteger, type Env } from './env-reader.js';

/**
 * Default of VIGIL_REQUEST_TIMEOUT_MS: a 1 MiB scoring batch at 100 KB/s, an 8 MiB ingest batch at
 * ~1 MB/s. A request that stalls holds its connection no longer.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * VIGIL_REQUEST_TIMEOUT_MS (1,000–300,000 ms): the time a client has to send a whole request,
 * headers and body, to a Node server — the Node edge and the backplane read it alike.
 */
export function envRequestTimeoutMs(env: Env): number {
  return envInteger(env, 'VIGIL_REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS, 1_000, 300_000);
}
