import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';

/** A running HTTP server. */
export interface NodeServer {
  /** http://host:port with the port actually bound (useful with port 0). */
  readonly url: string;
  readonly port: number;
  /** Stop accepting, let in-flight requests finish (at most `graceMs`), then drop the rest. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Serve a fetch handler (the Hono app's `fetch`) with @hono/node-server. `requestTimeoutMs`
 * (VIGIL_REQUEST_TIMEOUT_MS) is the time a client has to send a whole request, headers and body:
 * node:http's own deadline, past which it answers 408 and closes the connection while serving the
 * others. Its defaults (300 s, checked every 30 s) let a body that never finishes — on the
 * unauthenticated `POST /api/session` or the ingest — hold a connection for minutes. Checked every
 * second, so a stalled request is cut within the deadline + 1 s; a slow answer is not cut. The
 * edge's serve-node.ts does the same: the backplane does not depend on the edge.
 */
export function serveNode(
  fetch: (request: Request) => Response | Promise<Response>,
  options: { readonly port: number; readonly host: string; readonly requestTimeoutMs: number },
): Promise<NodeServer> {
  return new Promise((resolve, reject) => {
    let server: ServerType | undefined = undefined;
    const onError = (e: Error) => reject(e);
    const ms = options.requestTimeoutMs;
    const serverOptions = {
      requestTimeout: ms,
      headersTimeout: ms,
      connectionsCheckingInterval: Math.min(1_000, ms),
    };
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
  });
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
