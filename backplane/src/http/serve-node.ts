import type { Server } from 'node:http';
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

/** Serve a fetch handler (the Hono app's `fetch`) with @hono/node-server. */
export function serveNode(
  fetch: (request: Request) => Response | Promise<Response>,
  options: { readonly port: number; readonly host: string },
): Promise<NodeServer> {
  return new Promise((resolve, reject) => {
    let server: ServerType | undefined = undefined;
    const onError = (e: Error) => reject(e);
    server = serve({ fetch, port: options.port, hostname: options.host }, (info: AddressInfo) => {
      server!.off('error', onError);
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        close: (graceMs = 5_000) => closeServer(server!, graceMs),
      });
    });
    server.once('error', onError);
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
