/** Delivery of the edge's events to the backplane: the sinks both runtimes build. */
export { DeliveryMetrics, type DropReason, type FailureReason } from './delivery-metrics.js';
export {
  drainOutbox,
  HOLD_STATUSES,
  OUTBOX_BACKOFF,
  OUTBOX_BATCH,
  type DrainOutcome,
  type DurableHandoff,
  type HandoffResult,
  type OutboxRow,
  type OutboxStore,
} from './durable-outbox.js';
export { renderOutboxStats, type OutboxStats } from './durable-outbox-metrics.js';
export {
  DEFAULT_BACKOFF,
  INGEST_PATH,
  parseRetryAfter,
  postBatch,
  retryDelayMs,
  type BackoffPolicy,
  type IngestTarget,
} from './ingest-client.js';
export { throttleLog, type ThrottledLog } from './log-throttle.js';
export { OutboxEventSink, type OutboxEventSinkOptions } from './outbox-event-sink.js';
// The Node runtime implements it on disk (runtime/node/file-outbox-spill.ts), imported there only.
export type { OutboxSpill, SpillRead } from './outbox-spill.port.js';
export { RequestEventSink, type RequestEventSinkOptions } from './request-event-sink.js';
export { createWebCryptoHmac } from './web-crypto-hmac.js';
