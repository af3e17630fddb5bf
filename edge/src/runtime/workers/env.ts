/**
 * The Worker's bindings: wrangler.toml's [vars] and the secrets put with `wrangler secret put`,
 * plus the LiveHub and EventOutbox Durable Objects. Written by hand rather than by `wrangler types`, which sees
 * [vars] but not secrets. The strings are all optional here; the shared loadConfig validates them
 * and names any bad one.
 */
import type { EventOutbox } from './event-outbox.js';
import type { FeatureState } from './feature-state.js';
import type { LiveHub } from './live-hub.js';

export interface Env {
  /** Comma-separated bearer keys (secret). */
  readonly VIGIL_API_KEYS?: string;
  /** Upstash REST endpoint and token (secret); both unset → VIGIL_FEATURE_STORE decides. */
  readonly UPSTASH_REDIS_REST_URL?: string;
  readonly UPSTASH_REDIS_REST_TOKEN?: string;
  /** Without Upstash: `durable` (the FeatureState DO, wrangler.toml's [vars]) or `memory` (per isolate). */
  readonly VIGIL_FEATURE_STORE?: string;
  /** Feature store timeout, ms ([vars], default 30). */
  readonly VIGIL_FEATURE_TIMEOUT_MS?: string;
  /** Edge → backplane events, HMAC-signed with the secret; also where /api and / are forwarded. */
  readonly VIGIL_BACKPLANE_URL?: string;
  readonly VIGIL_EVENTS_SECRET?: string;
  /** Bearer secret of POST /internal/hub/publish (secret); unset → that route 404s. */
  readonly VIGIL_HUB_SECRET?: string;
  /** Verifies dashboards' vigil_session cookies on /v1/live (secret). */
  readonly VIGIL_SESSION_SECRET?: string;
  /** Bearer keys for /v1/live in place of VIGIL_API_KEYS (secret). */
  readonly VIGIL_ANALYST_KEYS?: string;
  /** Events the LiveHub keeps for resuming clients (default 10,000). */
  readonly VIGIL_HUB_RETAIN?: string;
  /** Events the durable outbox (EventOutbox) stores at most (default 100,000). */
  readonly VIGIL_OUTBOX_CAPACITY?: string;
  /** "1": serve the LiveHub's routes only (the hub for the Node edge); everything else 404s. */
  readonly VIGIL_HUB_ONLY?: string;
  /** The LiveHub (wrangler.toml [[durable_objects.bindings]]). */
  readonly LIVE_HUB?: DurableObjectNamespace<LiveHub>;
  /** The durable outbox for events (wrangler.toml [[durable_objects.bindings]], migration v2). */
  readonly EVENT_OUTBOX?: DurableObjectNamespace<EventOutbox>;
  /** The persistent feature store (wrangler.toml [[durable_objects.bindings]], migration v3). */
  readonly FEATURE_STATE?: DurableObjectNamespace<FeatureState>;
}
