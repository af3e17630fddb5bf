/**
 * A `/v1/live` client for Node (tests, tools): the `ws` package with permessage-deflate off (the
 * hub does not negotiate it, and it costs CPU on both ends), every frame parsed with core's
 * parseHubFrame. Node side.
 */
import { parseHubFrame, type HubFrame, type LiveItem } from '@vigil/core';
import WebSocket from 'ws';

export interface LiveClient {
  readonly socket: WebSocket;
  /** Every frame received so far, in order (unparseable ones as null). */
  readonly frames: (HubFrame | null)[];
  /** Raw text messages that were not frames (e.g. `pong`). */
  readonly other: string[];
  /** The items of every `events` frame so far, in order. */
  items(): LiveItem[];
  /** Resolves once `predicate` holds over what was received. */
  until(predicate: (c: LiveClient) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The refusal of a handshake: the HTTP status and body the server answered instead of 101. */
export class LiveRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`live: handshake refused with ${status}: ${body}`);
  }
}

/** Connect to `wsUrl` (ws://host/v1/live[?after=N]); rejects with LiveRefused on a non-101. */
export function connectLive(
  wsUrl: string,
  headers: Record<string, string> = {},
): Promise<LiveClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, { headers, perMessageDeflate: false });
    const frames: (HubFrame | null)[] = [];
    const other: string[] = [];
    const waiters = new Set<() => void>();
    const client: LiveClient = {
      socket,
      frames,
      other,
      items: () => frames.flatMap((f) => (f?.type === 'events' ? f.items : [])),
      until(predicate, timeoutMs = 10_000) {
        return new Promise((ok, fail) => {
          const check = () => {
            if (!predicate(client)) return;
            clearTimeout(timer);
            waiters.delete(check);
            ok();
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            fail(new Error(`live: condition not met; got ${JSON.stringify(frames).slice(0, 500)}`));
          }, timeoutMs);
          waiters.add(check);
          check();
        });
      },
      close: () =>
        new Promise((done) => {
          if (socket.readyState === WebSocket.CLOSED) return done();
          socket.once('close', () => done());
          socket.close(1000);
        }),
    };
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const text = isBinary ? '' : Buffer.concat(toBuffers(data)).toString('utf8');
      const frame = parseHubFrame(text);
      if (frame === null && !text.startsWith('{')) other.push(text);
      else frames.push(frame);
      for (const w of [...waiters]) w();
    });
    socket.once('open', () => resolve(client));
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(new LiveRefused(res.statusCode ?? 0, body)));
    });
    socket.once('error', (e) => reject(e));
  });
}

function toBuffers(data: WebSocket.RawData): Buffer[] {
  if (Array.isArray(data)) return data;
  return [Buffer.isBuffer(data) ? data : Buffer.from(data)];
}
