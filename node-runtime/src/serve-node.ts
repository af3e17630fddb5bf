/**
 * Serving a fetch handler (a Hono app's `fetch`) on Node with @hono/node-server: the one server
 * set-up the Node edge and the backplane share, with a request deadline, 413s that reach the
 * client, and a close that drains.
 */
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';

/** A running Node server. */
export interface NodeServer {
  /** http://host:port, with the port actually bound (useful with port 0). */
  readonly url: string;
  readonly port: number;
  /** Stop accepting, let in-flight requests finish (at most `graceMs`), then drop idle sockets. */
  close(graceMs?: number): Promise<void>;
}

export interface ServeNodeOptions {
  readonly port: number;
  readonly host: string;
  /** Time a client has to send a whole request, headers and body (VIGIL_REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs: number;
  /** The http server's 'upgrade' listener (WebSocket handshakes). */
  readonly onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

/** Serve a fetch handler (the Hono app's `fetch`) with @hono/node-server. */
export function serveNode(
  fetch: (request: Request) => Response | Promise<Response>,
  options: ServeNodeOptions,
): Promise<NodeServer> {
  return new Promise((resolve, reject) => {
    let server: ServerType | undefined = undefined;
    const onError = (e: Error) => reject(e);
    const serverOptions = requestDeadline(options.requestTimeoutMs);
    const init = { fetch, port: options.port, hostname: options.host, serverOptions };
    server = serve(init, (info: AddressInfo) => {
      server!.off('error', onError);
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        close: (graceMs = 5_000) => closeServer(server!, graceMs),
      });
    });
    server.once('error', onError);
    server.on('request', discardUnreadBodies);
    if (options.onUpgrade) server.on('upgrade', options.onUpgrade);
  });
}

/**
 * node:http's own deadline on receiving a request, headers and body: past it Node answers 408
 * and closes the connection, whatever the handler is doing, and serves the other connections
 * meanwhile. Its defaults (300 s for a request, 60 s for headers, checked every 30 s) let a body
 * that never finishes — on the unauthenticated `POST /api/session`, the ingest or `/v1/score` —
 * hold a connection for minutes. Checked every second here, so a stalled request is cut within
 * `ms` + 1 s. Only receiving counts: a slow answer or an upgraded WebSocket is not cut.
 */
function requestDeadline(ms: number): ServerOptions {
  return {
    requestTimeout: ms,
    headersTimeout: ms,
    connectionsCheckingInterval: Math.min(1_000, ms),
  };
}

/**
 * Once a 413 has gone out before its request's body was all read, read the rest and drop it, so
 * the connection is not reset under a client still writing — a reset that can reach the client
 * before the 413 does. node:http does this itself for a body nobody touched, but leaves one that
 * hono's bodyLimit stopped reading midway (a chunked body) paused, and @hono/node-server then
 * resets it after 500 ms. @hono/node-server still closes a connection whose rest takes longer than
 * that to arrive (or runs past 64 MB): by then the 413 has long reached the client.
 */
function discardUnreadBodies(req: IncomingMessage, res: ServerResponse): void {
  res.once('finish', () => {
    if (req.complete || req.destroyed) return;
    // The web stream over `req` that stopped being read pauses it again on every chunk.
    req.removeAllListeners('data');
    req.resume();
  });
}

function closeServer(server: ServerType, graceMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const http = server as Server;
    const timer = setTimeout(() => http.closeAllConnections(), graceMs);
    timer.unref();
    http.close((e) => {
      clearTimeout(timer);
      if (e) reject(e);
      else resolve();
    });
    // Keep-alive sockets with no request in flight would hold close() open until they time out.
    http.closeIdleConnections();
  });
}
