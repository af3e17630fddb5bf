/**
 * The backplane's ports: what main.ts creates once and hands down. The analysts' API states its
 * own needs in ./api/deps.ts (`ApiDeps`); main.ts builds that object from these:
 *
 *   sql          ← the postgres.js handle (PGlite behind pglite-socket when DATABASE_URL is unset)
 *   emitFeedback ← EventProducer.send (Kafka or the in-process log, keyed by core's eventKey)
 *   publishLive  ← HubPublisher.publish (bounded queue, retried; never throws)
 *   consumerLag  ← the lag monitor's last reading (refreshed every few seconds)
 *
 * Plain types only; the implementations live in adapters/ and consumer/.
 */
import type { VigilEvent } from '@vigil/core';

export type { Logger } from 'pino';
export type { Sql } from 'postgres';
export type { HubPublisher, PublishOutcome } from './adapters/hub-publisher.port.js';
export type { EventLog, LogConsumer, LogProducer } from './adapters/event-log.port.js';
export { LogUnavailableError } from './adapters/event-log.port.js';

/**
 * Appends events to the log: decisions to vigil.decisions.v1, feedback to vigil.feedback.v1, keyed
 * by core's eventKey. Resolves once the log holds them (Kafka: idempotent producer, acks -1);
 * rejects with LogUnavailableError (`code` 'LOG_UNAVAILABLE') when it cannot — a caller answering
 * HTTP says 503 with Retry-After. The events must already be valid (core's schemas).
 */
export interface EventProducer {
  /**
   * `encoded[i]`, when given, is the UTF-8 JSON of `events[i]` exactly as it was validated (the
   * ingest's own bytes), produced as is; otherwise each event is serialized here.
   */
  send(events: readonly VigilEvent[], encoded?: readonly Buffer[]): Promise<void>;
}

/** Consumer lag in messages (Σ end offset − committed offset over both topics' partitions). */
export interface LagReader {
  /** The last reading, refreshed in the background (0 before the first one). */
  current(): number;
  /** A fresh reading. */
  read(): Promise<number>;
}
