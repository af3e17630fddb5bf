/**
 * The Node edge has no Durable Objects: the LiveHub runs in workerd (the same Worker bundle,
 * started by Miniflare as a hub-only service, see runtime/workers/host/start-live-hub.ts), and the
 * Node edge forwards the browser's route there when VIGIL_HUB_URL is set, so that the dashboard
 * keeps one origin. The backplane publishes to the hub's own origin (`/internal/hub/*` is not
 * forwarded: the Node edge answers it 404 like any path it does not serve).
 *
 * - `/v1/live` WebSocket upgrades at the TCP level: the node http server's 'upgrade' event hands
 *   over the socket, the request head is replayed to the hub verbatim (Host, Cookie,
 *   Authorization, Origin and the WebSocket handshake headers unchanged) and the two sockets are
 *   piped, so frames, pings and closes pass through untouched. The hub authenticates.
 * - a `/v1/live` without an upgrade by fetch, body streamed, status and headers returned.
 */
import type { IncomingMessage } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { LIVE_PATH } from '@vigil/core';
import { proxy } from 'hono/proxy';
import { problemBody, problemResponse } from '../../app/problem.js';

/** Forward a (non-upgrade) request to the hub at `hubUrl` (origin, no trailing slash). */
export async function forwardToHub(hubUrl: string, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  headers.delete('host');
  try {
    return await proxy(hubUrl + url.pathname + url.search, { raw: request, headers });
  } catch {
    const problem = problemBody('unavailable', 'the LiveHub did not answer: retry later');
    return problemResponse(problem, { 'retry-after': '1' });
  }
}

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

/** Upgrades forwarded to the hub: the server's 'upgrade' listener, and a way to end them all. */
export interface UpgradeForwarder {
  readonly listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Destroy every forwarded connection (the http server's close() does not see them). */
  closeAll(): void;
}

/** `/v1/live` upgrades to the hub at `hubUrl`; any other upgrade is refused with a 404. */
export function forwardUpgrades(hubUrl: string): UpgradeForwarder {
  const target = new URL(hubUrl);
  const secure = target.protocol === 'https:';
  const port = Number(target.port || (secure ? 443 : 80));
  const open = new Set<Duplex>();
  const listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== LIVE_PATH) return refuse(socket, '404 Not Found');
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    const upstream: Socket = secure
      ? tlsConnect({ host: target.hostname, port, servername: target.hostname })
      : netConnect({ host: target.hostname, port });
    const fail = () => {
      upstream.destroy();
      if (!socket.destroyed) refuse(socket, '502 Bad Gateway');
    };
    upstream.once('error', fail);
    upstream.once(secure ? 'secureConnect' : 'connect', () => {
      upstream.off('error', fail);
      let lines = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        lines += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      }
      upstream.write(lines + '\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
      socket.on('close', () => upstream.destroy());
      upstream.on('close', () => socket.destroy());
      socket.pipe(upstream).pipe(socket);
    });
  };
  return {
    listener,
    closeAll: () => {
      for (const s of open) s.destroy();
    },
  };
}
