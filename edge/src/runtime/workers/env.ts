/**
 * The Worker's bindings: wrangler.toml's [vars] and the secrets put with `wrangler secret put`.
 * Written by hand rather than by `wrangler types`, which sees [vars] but not secrets. All are
 * optional strings here; the shared loadConfig validates them and names any bad one.
 */
export interface Env {
  /** Comma-separated bearer keys (secret). */
  readonly VIGIL_API_KEYS?: string;
  /** Upstash REST endpoint and token (secret); both unset → per-isolate memory store (dev only). */
  readonly UPSTASH_REDIS_REST_URL?: string;
  readonly UPSTASH_REDIS_REST_TOKEN?: string;
  /** Feature store timeout, ms ([vars], default 30). */
  readonly VIGIL_FEATURE_TIMEOUT_MS?: string;
  /** Edge → backplane events, HMAC-signed with the secret. */
  readonly VIGIL_BACKPLANE_URL?: string;
  readonly VIGIL_EVENTS_SECRET?: string;
}
