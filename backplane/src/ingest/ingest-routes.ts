/**
 * POST /ingest/events: the edge's signed event batches. In order: the size (413), the signature
 * over the raw bytes (401), JSON (400), core's schemas naming each bad index and field (400, and
 * nothing is produced), then one send to the log — each event as the bytes it was validated from,
 * where the body is plain enough to split (event-slices.ts). 202 {accepted: n} only once the log
 * holds every event (Kafka: acks -1); if it cannot take them, 503 with Retry-After, and the edge
 * retries — event ids make a batch that did land harmless to send again.
 */
import { validateIngestBatch, type HmacSha256, INGEST_PATH } from '@vigil/core';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { LogUnavailableError } from '../adapters/event-log.port.js';
import type { BackplaneMetrics } from '../http/backplane-metrics.js';
import type { BackplaneEnv } from '../http/backplane-env.js';
import { ProblemError, validationProblem } from '../http/problem.js';
import { signedJson } from '../http/signed-json.js';
import type { EventProducer } from '../ports.js';
import { eventSlices } from './event-slices.js';

export interface IngestDeps {
  readonly producer: EventProducer;
  /** VIGIL_EVENTS_SECRET. */
  readonly secret: string;
  readonly hmac: HmacSha256;
  readonly maxBodyBytes: number;
  readonly metrics: BackplaneMetrics;
  /** The clock, in Unix seconds (tests pin it). */
  readonly nowS?: () => number;
  /** Retry-After on 503, in seconds (default 2). */
  readonly retryAfterS?: number;
}

/** As Request.text() decodes: UTF-8, a byte-order mark dropped, bad bytes replaced. */
const UTF8 = new TextDecoder();

function tooLarge(maxBytes: number): never {
  // Not `Connection: close`: closing with the body unread resets the connection under a client
  // still writing it, often before the 413 arrives; the server discards the rest (serve-node.ts).
  throw new ProblemError('payload-too-large', `the request body exceeds ${maxBytes} bytes`);
}

export function ingestRoutes(deps: IngestDeps): Hono<BackplaneEnv> {
  const nowS = deps.nowS ?? (() => Date.now() / 1000);
  const retryAfter = String(deps.retryAfterS ?? 2);
  const app = new Hono<BackplaneEnv>();

  app.post(
    INGEST_PATH,
    async (c, next) => {
      const declared = Number(c.req.header('content-length') ?? NaN);
      if (declared > deps.maxBodyBytes) tooLarge(deps.maxBodyBytes);
      await next();
    },
    bodyLimit({ maxSize: deps.maxBodyBytes, onError: () => tooLarge(deps.maxBodyBytes) }),
    async (c) => {
      const log = c.get('log');
      const bytes = Buffer.from(await c.req.arrayBuffer());
      const body = UTF8.decode(bytes);
      const json = await signedJson(c, deps, body, nowS(), 'ingest');
      const v = validateIngestBatch(json);
      if (!v.ok) {
        log.warn(
          { issues: v.issues.slice(0, 20), count: v.issues.length },
          'ingest: invalid batch',
        );
        throw validationProblem(v.issues);
      }
      const events = v.value.events;
      const t0 = performance.now();
      try {
        await deps.producer.send(events, eventSlices(bytes, events.length) ?? undefined);
      } catch (err) {
        deps.metrics.produceFailures.inc();
        if (!(err instanceof LogUnavailableError)) throw err;
        log.warn(
          { err, events: events.length, first_event_id: events[0]!.event_id },
          'ingest: the log cannot take the batch; answering 503',
        );
        throw new ProblemError('unavailable', 'the event log is unavailable; retry later', {
          headers: { 'retry-after': retryAfter },
          cause: err,
        });
      }
      deps.metrics.produceSeconds.observe((performance.now() - t0) / 1000);
      deps.metrics.ingestBatchSize.observe(events.length);
      let decisions = 0;
      for (const e of events) if (e.type === 'decision') decisions++;
      if (decisions > 0) deps.metrics.ingestEvents.inc({ type: 'decision' }, decisions);
      if (decisions < events.length) {
        deps.metrics.ingestEvents.inc({ type: 'feedback' }, events.length - decisions);
      }
      log.info(
        {
          accepted: events.length,
          first_event_id: events[0]!.event_id,
          last_event_id: events.at(-1)!.event_id,
        },
        'ingest: batch accepted',
      );
      return c.json({ accepted: events.length }, 202);
    },
  );
  return app;
}
