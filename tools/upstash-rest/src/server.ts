/**
 * An HTTP endpoint that speaks the Upstash Redis REST protocol over a real Redis, so the edge's
 * `@upstash/redis` client can run locally without Docker. One long-lived TCP connection serves
 * every request; node-redis pipelines concurrent requests onto it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import { createClient, ErrorReply, RESP_TYPES } from 'redis';
import { encodeReply, type JsonReply } from './encode.js';
import {
  RedisUnavailableError,
  runCommand,
  runPipeline,
  runTransaction,
  type CommandOutcome,
  type RedisPort,
} from './execute.js';
import { parseCommand, parseCommandList } from './protocol.js';
import { BodyTooLargeError, readBody } from './read-body.js';

export interface UpstashRestOptions {
  /** Redis to serve, e.g. `redis://127.0.0.1:6390`. */
  redisUrl: string;
  /** The bearer token clients must send (`Authorization: Bearer <token>` or `?_token=`). */
  token: string;
  /** Port to listen on; 0 picks a free one (read it back from `url`). */
  port: number;
  host?: string;
  /** Largest accepted request body in bytes; larger ones get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Where operational messages go. Default: stderr. */
  log?: (message: string) => void;
  /** CLIENT SETNAME of the bridge's Redis connection. Default `vigil-upstash-rest`. */
  clientName?: string;
}

export interface UpstashRest {
  /** Base URL to hand to `new Redis({ url, token })`. */
  url: string;
  /** Stops accepting requests, lets in-flight ones finish, then closes the Redis connection. */
  close(): Promise<void>;
}

type Route = 'command' | 'pipeline' | 'multi-exec';
const ROUTES: ReadonlyMap<string, Route> = new Map([
  ['/', 'command'],
  ['/pipeline', 'pipeline'],
  ['/multi-exec', 'multi-exec'],
]);

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Connects to Redis, then starts serving the REST protocol; rejects if either fails. */
export async function startUpstashRest(options: UpstashRestOptions): Promise<UpstashRest> {
  const { redisUrl, token, port, host = '127.0.0.1' } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log =
    options.log ?? ((message: string) => process.stderr.write(`upstash-rest: ${message}\n`));
  if (token.length === 0) throw new Error('startUpstashRest: token must not be empty');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`startUpstashRest: port must be an integer from 0 to 65535, got ${port}`);
  }

  const redis = await connectRedis(redisUrl, options.clientName ?? 'vigil-upstash-rest', log);
  const tokenDigest = sha256(token);
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(
        `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (!res.headersSent) sendJson(res, 500, { error: 'ERR internal error in the REST bridge' });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://bridge');
    const route = ROUTES.get(url.pathname);
    if (route === undefined) {
      return sendJson(res, 404, {
        error: `ERR unknown endpoint ${url.pathname}; use POST /, /pipeline or /multi-exec`,
      });
    }
    if (req.method !== 'POST') {
      return sendJson(res, 405, { error: 'ERR method not allowed; use POST' }, { allow: 'POST' });
    }
    const presented = bearerToken(req, url);
    if (presented === undefined || !timingSafeEqual(sha256(presented), tokenDigest)) {
      return sendJson(res, 401, { error: 'Unauthorized: missing or invalid bearer token' });
    }

    let text: string;
    try {
      text = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        req.resume(); // discard the rest so the client sees the answer, then drop the connection
        return sendJson(
          res,
          413,
          { error: `ERR request body is larger than ${maxBodyBytes} bytes` },
          { connection: 'close' },
        );
      }
      throw error;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return sendJson(res, 400, { error: `ERR request body is not valid JSON: ${reason}` });
    }
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';

    try {
      switch (route) {
        case 'command': {
          const parsed = parseCommand(body);
          if (!parsed.ok) return sendJson(res, 400, { error: parsed.error });
          const outcome = await runCommand(redis.port, parsed.value);
          return 'error' in outcome
            ? sendJson(res, 400, { error: outcome.error })
            : sendJson(res, 200, { result: encodeReply(outcome.result, base64) });
        }
        case 'pipeline': {
          const parsed = parseCommandList(body);
          if (!parsed.ok) return sendJson(res, 400, { error: parsed.error });
          const outcomes = await runPipeline(redis.port, parsed.value);
          return sendJson(
            res,
            200,
            outcomes.map((o) => encodeOutcome(o, base64)),
          );
        }
        case 'multi-exec': {
          const parsed = parseCommandList(body);
          if (!parsed.ok) return sendJson(res, 400, { error: parsed.error });
          const outcome = await runTransaction(redis.port, parsed.value);
          return 'discarded' in outcome
            ? sendJson(res, 400, { error: outcome.discarded })
            : sendJson(
                res,
                200,
                outcome.results.map((o) => encodeOutcome(o, base64)),
              );
        }
      }
    } catch (error) {
      if (error instanceof RedisUnavailableError) {
        return sendJson(res, 503, { error: `ERR ${error.message}` });
      }
      throw error;
    }
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await redis.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`upstash-rest: cannot listen on ${host}:${port}: ${reason}`, { cause: error });
  }
  server.on('error', (error) => log(`server error: ${error.message}`));

  const { port: boundPort } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${boundPort}`,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await redis.close();
      })()),
  };
}

function encodeOutcome(
  outcome: CommandOutcome,
  base64: boolean,
): { result: JsonReply } | { error: string } {
  return 'error' in outcome
    ? { error: outcome.error }
    : { result: encodeReply(outcome.result, base64) };
}

function bearerToken(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  return url.searchParams.get('_token') ?? undefined;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

interface RedisConnection {
  port: RedisPort;
  close(): Promise<void>;
}

/**
 * Opens the one connection. The first connect fails fast with a clear message; once it has been
 * up, the client reconnects with backoff and requests meanwhile fail at once (503) instead of
 * queueing.
 */
async function connectRedis(
  redisUrl: string,
  name: string,
  log: (message: string) => void,
): Promise<RedisConnection> {
  let everReady = false;
  let reportedDown = false;
  const client = createClient({
    url: redisUrl,
    name,
    disableOfflineQueue: true,
    // Bulk strings as Buffers: the bridge stays binary-safe and base64 encodes the real bytes.
    commandOptions: { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } },
    socket: {
      connectTimeout: 5_000,
      reconnectStrategy: (retries, cause) =>
        everReady ? Math.min(50 * 2 ** retries, 2_000) : cause,
    },
  });
  client.on('ready', () => {
    if (everReady && reportedDown) log('Redis connection restored');
    everReady = true;
    reportedDown = false;
  });
  client.on('error', (error: Error) => {
    if (everReady && !reportedDown) {
      reportedDown = true;
      log(`Redis connection lost (${error.message}); reconnecting`);
    }
  });

  try {
    await client.connect();
  } catch (error) {
    if (client.isOpen) client.destroy();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `upstash-rest: cannot connect to Redis at ${redisUrl}: ${reason} ` +
        '(start one with `bash scripts/services/redis.sh start`)',
      { cause: error },
    );
  }

  return {
    port: {
      send: (command, chain) =>
        client.sendCommand(command, chain === undefined ? undefined : { chainId: chain }),
      isReplyError: (error): error is Error => error instanceof ErrorReply,
    },
    close: async () => {
      if (client.isOpen) await client.close();
    },
  };
}
