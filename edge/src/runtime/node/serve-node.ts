import type { IncomingMessage, Server, ServerOptions } from 'node:http';
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
    if (options.onUpgrade) server.on('upgrade', options.onUpgrade);
  });
}

/**
 * node:http's own deadline on receiving a request, headers and body: past it Node answers 408
 * and closes the connection, whatever the handler is doing, and serves the other connections
 * meanwhile. Its defaults (300 s for a request, 60 s for headers, checked every 30 s) let a body
 * that never finishes hold a connection for minutes. Checked every second here, so a stalled
 * request is cut within `ms` + 1 s. Only receiving counts: a slow answer or an upgraded WebSocket
 * is not cut. The backplane's serve-node.ts sets the same (it cannot import the edge).
 */
function requestDeadline(ms: number): ServerOptions {
  return {
    requestTimeout: ms,
    headersTimeout: ms,
    connectionsCheckingInterval: Math.min(1_000, ms),
  };
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
