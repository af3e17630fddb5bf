/**
 * The feature store on Redis over Upstash's REST protocol (`@upstash/redis`): Workers and Node.
 * One client per store; create one store per process / isolate and reuse it.
 */
// The Cloudflare entry reads no process.env and needs only fetch: it runs on Workers and Node.
import { Redis } from '@upstash/redis/cloudflare';
import { FeatureStoreError } from './feature-store-error.js';
import { FEATURE_STORE_LUA } from './feature-store-lua.js';
import {
  createRedisFeatureStore,
  featureStoreScriptSha1,
  isNoScript,
  type RedisFeatureStoreOptions,
  type RemoteFeatureStore,
  type ScriptTransport,
} from './redis-feature-store.js';
import { createBinaryRequester } from './upstash-binary-request.js';

export interface UpstashFeatureStoreOptions extends RedisFeatureStoreOptions {
  /** UPSTASH_REDIS_REST_URL */
  url: string;
  /** UPSTASH_REDIS_REST_TOKEN */
  token: string;
  /** The fetch to send requests with. Default: the global fetch. */
  fetch?: typeof fetch;
}

/** A FeatureStore on Upstash Redis: one HTTP request per step or label call in steady state. */
export function createUpstashFeatureStore(options: UpstashFeatureStoreOptions): RemoteFeatureStore {
  const requester = createBinaryRequester({
    url: options.url,
    token: options.token,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const redis = new Redis({
    url: options.url,
    token: options.token,
    // Replies are packed bytes and opaque strings: never JSON.parse them.
    automaticDeserialization: false,
    // One command, one request: the script already batches; no hidden pipelining, and no
    // retries eating the latency budget (a failed call is answered degraded instead).
    enableAutoPipelining: false,
    retry: false,
    enableTelemetry: false,
  });
  // The SDK builds the commands; its middleware hook hands each request to the binary-safe
  // requester (which never calls the SDK's own HTTP client: see upstash-binary-request.ts).
  // The SDK calls the hook synchronously from evalsha/eval, so the limit set just before each
  // call is the one its request reads, whatever other calls are in flight.
  let limitOfNextRequest = 0;
  redis.use((req) => requester.request(req, limitOfNextRequest));
  function evalsha(sha: string, args: readonly string[], timeoutMs: number): Promise<unknown> {
    limitOfNextRequest = timeoutMs;
    return redis.evalsha(sha, [], [...args]);
  }
  function evalScript(args: readonly string[], timeoutMs: number): Promise<unknown> {
    limitOfNextRequest = timeoutMs;
    return redis.eval(FEATURE_STORE_LUA, [], [...args]);
  }

  const transport: ScriptTransport = {
    get roundTrips() {
      return requester.roundTrips;
    },
    async run(args, timeoutMs) {
      const sha = await featureStoreScriptSha1();
      try {
        return await evalsha(sha, args, timeoutMs);
      } catch (error) {
        if (!isNoScript(error)) throw storeError(error, timeoutMs);
      }
      try {
        return await evalScript(args, timeoutMs);
      } catch (error) {
        throw storeError(error, timeoutMs);
      }
    },
    close: () => Promise.resolve(),
  };
  return createRedisFeatureStore(transport, options);
}

function storeError(error: unknown, timeoutMs: number): FeatureStoreError {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new FeatureStoreError(
      'FEATURE_STORE_TIMEOUT',
      `Upstash request timed out after ${timeoutMs} ms`,
      { cause: error },
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new FeatureStoreError('FEATURE_STORE_UNAVAILABLE', `Upstash request failed: ${reason}`, {
    cause: error,
  });
}
