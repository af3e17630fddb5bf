/**
 * A test double of the LiveHub's publish endpoint: a real HTTP server on 127.0.0.1 that checks the
 * bearer secret, records every LiveEvent with its arrival time, and answers like the hub (200
 * {accepted, duplicates, last_seq}, counting event ids it already has as duplicates). It can be
 * made to fail (e.g. 503) to play a hub outage. The Durable Object itself is tested in the edge's
 * projects.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HUB_PUBLISH_PATH, type HubPublishResponse, type LiveEvent } from '@vigil/core';

export class RecordingHub {
  /** Every event received, duplicates included, in arrival order. */
  readonly received: { readonly event: LiveEvent; readonly at: number }[] = [];
  /** First arrival time (performance.now()) by event id. */
  readonly firstSeen = new Map<string, number>();
  /** While set, publishes are answered with this status. */
  failWith: number | null = null;
  requests = 0;
  private seq = 0;
  private readonly server: Server;
  url = '';

  constructor(private readonly secret: string) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests++;
        if (req.method !== 'POST' || req.url !== HUB_PUBLISH_PATH) {
          res.writeHead(404).end();
        } else if (req.headers.authorization !== `Bearer ${this.secret}`) {
          res.writeHead(401).end();
        } else if (this.failWith !== null) {
          res.writeHead(this.failWith).end();
        } else {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            events: LiveEvent[];
          };
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify(this.record(body.events)));
        }
      });
    });
  }

  private record(events: readonly LiveEvent[]): HubPublishResponse {
    const at = performance.now();
    let accepted = 0;
    for (const event of events) {
      this.received.push({ event, at });
      if (!this.firstSeen.has(event.event_id)) {
        this.firstSeen.set(event.event_id, at);
        accepted++;
        this.seq++;
      }
    }
    return { accepted, duplicates: events.length - accepted, last_seq: this.seq };
  }

  /** Listen on 127.0.0.1:`port` (0: any free port). */
  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
