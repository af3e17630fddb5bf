/** Delivery of the edge's events to the backplane: the outbox and the sinks both runtimes build. */
export { DeliveryMetrics, type DropReason, type FailureReason } from './delivery-metrics.js';
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
export { MemoryOutboxStore } from './memory-outbox-store.js';
export {
  drainOutbox,
  nextDrain,
  OUTBOX_BACKOFF,
  OUTBOX_BATCH,
  type AppendResult,
  type DrainObserver,
  type DrainOutcome,
  type OutboxRow,
  type OutboxStore,
} from './outbox.js';
export {
  OutboxEventSink,
  type NodeOutboxStore,
  type OutboxEventSinkOptions,
} from './outbox-event-sink.js';
export {
  RequestEventSink,
  type DurableHandoff,
  type HandoffResult,
  type RequestEventSinkOptions,
} from './request-event-sink.js';
export { createWebCryptoHmac } from './web-crypto-hmac.js';
