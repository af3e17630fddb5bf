/**
 * For tests: a real HTTP server standing in for the backplane's ingest (`POST /ingest/events`),
 * which checks every batch's X-Vigil-Signature with core's verifyBody and answers as the test
 * scripts it (202 by default; any status and headers; a hang; a dropped connection). Other paths
 * go to an optional handler (the dashboard and /api of a stand-in backplane), else 404.
 */
import { createHmac } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyBody, type HmacSha256, type SignatureCheck, type VigilEvent } from '@vigil/core';

export const nodeHmac: HmacSha256 = (secret, message) =>
  Promise.resolve(new Uint8Array(createHmac('sha256', secret).update(message).digest()));

export interface IngestRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly events: VigilEvent[];
  readonly signature: SignatureCheck;
  /** The answer given. */
  readonly status: number | 'hang' | 'drop';
  /** Date.now() on arrival. */
  readonly at: number;
}

export type IngestAnswer =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  | 'hang'
  | 'drop';

export interface TestIngestServer {
  /** The stand-in VIGIL_BACKPLANE_URL. */
  readonly url: string;
  readonly requests: IngestRequest[];
  /** How to answer request number `n` (0-based, over the server's life); default 202. */
  answer: (n: number, body: string) => IngestAnswer;
  /** The events of every batch answered 2xx with a valid signature. */
  accepted(): VigilEvent[];
  /** Resolves once `predicate` holds (checked after every request and every 20 ms). */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Close the port (open connections cut): the backplane is down. */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/** Answers a request that is not for the ingest; `body` is the request body, read in full. */
export type OtherHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export async function startTestIngest(
  secret: string,
  other?: OtherHandler,
): Promise<TestIngestServer> {
  const requests: IngestRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url !== '/ingest/events' || req.method !== 'POST') {
        if (other) return other(req, res, Buffer.concat(chunks));
        res.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const n = requests.length;
      const answer = self.answer(n, body);
      void verifyBody(
        nodeHmac,
        secret,
        body,
        req.headers['x-vigil-signature'] as string | undefined,
        Date.now() / 1000,
      ).then((signature) => {
        let events: VigilEvent[] = [];
        try {
          events = (JSON.parse(body) as { events: VigilEvent[] }).events;
        } catch {
          // recorded with no events
        }
        requests.push({
          path: req.url ?? '',
          headers: req.headers,
          body,
          events,
          signature,
          status: typeof answer === 'string' ? answer : answer.status,
          at: Date.now(),
        });
        if (answer === 'hang') return;
        if (answer === 'drop') {
          req.socket.destroy();
          return;
        }
        const status = signature.ok ? answer.status : 401;
        res.writeHead(status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body ?? JSON.stringify({ accepted: events.length }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const self: TestIngestServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: () => ({ status: 202 }),
    accepted: () =>
      requests
        .filter((r) => r.signature.ok && typeof r.status === 'number' && r.status < 300)
        .flatMap((r) => r.events),
    async waitFor(predicate, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > until) throw new Error('test ingest: condition not met in time');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async down() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
    },
    async up() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    },
    async close() {
      if (!server.listening) return;
      await self.down();
    },
  };
  return self;
}

/**
 * The text at `url` once it contains `line`, or after 10 s (polled: an edge's /metrics counts a
 * delivery when its answer arrives, just after this server recorded it).
 */
export async function textWith(
  url: string | URL,
  headers: Record<string, string>,
  line: string,
): Promise<string> {
  const until = Date.now() + 10_000;
  for (;;) {
    const text = await (await fetch(url, { headers })).text();
    if (text.includes(line) || Date.now() > until) return text;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
