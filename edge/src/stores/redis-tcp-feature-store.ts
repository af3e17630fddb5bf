/**
 * The feature store on Redis over TCP (`redis`, Node only): the same script and behaviour as the
 * Upstash store, for REDIS_URL. One long-lived connection, which node-redis pipelines concurrent
 * calls onto.
 */
import { createClient, ErrorReply, RESP_TYPES, TimeoutError } from 'redis';
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

export interface RedisTcpFeatureStoreOptions extends RedisFeatureStoreOptions {
  /** REDIS_URL, e.g. `redis://127.0.0.1:6379`. */
  url: string;
  /** Time allowed for the first connection. Default 5 s. */
  connectTimeoutMs?: number;
  /** CLIENT SETNAME. Default `vigil-edge`. */
  clientName?: string;
}

/**
 * Connects, then returns the store; rejects when Redis cannot be reached. Once connected, a lost
 * connection is re-established in the background and calls meanwhile fail at once (the edge
 * answers degraded) instead of queueing.
 */
export async function createRedisTcpFeatureStore(
  options: RedisTcpFeatureStoreOptions,
): Promise<RemoteFeatureStore> {
  const onError = options.onError ?? (() => {});
  let everReady = false;
  const client = createClient({
    url: options.url,
    name: options.clientName ?? 'vigil-edge',
    disableOfflineQueue: true,
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      reconnectStrategy: (retries, cause) =>
        everReady ? Math.min(50 * 2 ** retries, 2_000) : cause,
    },
  });
  client.on('ready', () => {
    everReady = true;
  });
  client.on('error', (error: unknown) => {
    if (everReady) onError(error);
  });
  try {
    await client.connect();
  } catch (error) {
    if (client.isOpen) client.destroy();
    throw new FeatureStoreError(
      'FEATURE_STORE_UNAVAILABLE',
      `cannot connect to Redis at ${redactedUrl(options.url)}: ${messageOf(error)}`,
      { cause: error },
    );
  }

  // Bulk strings as Buffers: the packed states come back byte for byte.
  const commandOptions = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } };
  let roundTrips = 0;
  function send(args: string[], timeoutMs: number): Promise<unknown> {
    roundTrips++;
    const reply = client.sendCommand(args, commandOptions);
    return timeoutMs > 0 ? withTimeout(reply, timeoutMs) : reply;
  }

  const transport: ScriptTransport = {
    get roundTrips() {
      return roundTrips;
    },
    async run(args, timeoutMs) {
      const sha = await featureStoreScriptSha1();
      try {
        return await send(['EVALSHA', sha, '0', ...args], timeoutMs);
      } catch (error) {
        if (!isNoScript(error)) throw storeError(error, timeoutMs);
      }
      try {
        return await send(['EVAL', FEATURE_STORE_LUA, '0', ...args], timeoutMs);
      } catch (error) {
        throw storeError(error, timeoutMs);
      }
    },
    async close() {
      if (client.isOpen) await client.close();
    },
  };
  return createRedisFeatureStore(transport, options);
}

class ReplyTimeout extends Error {}

/**
 * Gives up waiting for a reply after `ms`. node-redis' own `timeout` option only bounds the wait
 * before the command is written; the reply itself, when it comes, is then dropped by node-redis
 * (the connection stays in sync).
 */
function withTimeout<T>(reply: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReplyTimeout(`no reply within ${ms} ms`)), ms);
  });
  return Promise.race([reply, late]).finally(() => clearTimeout(timer));
}

function storeError(error: unknown, timeoutMs: number): FeatureStoreError {
  if (error instanceof ReplyTimeout || error instanceof TimeoutError) {
    return new FeatureStoreError('FEATURE_STORE_TIMEOUT', `Redis timed out after ${timeoutMs} ms`, {
      cause: error,
    });
  }
  const what = error instanceof ErrorReply ? 'Redis refused the call' : 'Redis is unavailable';
  return new FeatureStoreError('FEATURE_STORE_UNAVAILABLE', `${what}: ${messageOf(error)}`, {
    cause: error,
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The URL without its password, for messages. */
function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable REDIS_URL)';
  }
}
