import type { VigilEvent } from '../events/events.js';

/** Per-call hooks a runtime hands the sink along with the events of one request. */
export interface EmitOptions {
  /**
   * Keep work alive past the response (a Worker's `ctx.waitUntil`). Absent where the process
   * outlives the request (Node), where a sink delivers on its own time.
   */
  readonly background?: (work: Promise<unknown>) => void;
}

/**
 * Where the edge's decisions and labels go after the answer: core's versioned events
 * (`DecisionEventV1`, `FeedbackEventV1`, each with its stable `event_id`). `emit` must not block
 * or throw: an adapter buffers, batches, signs and retries on its own time, off the latency path.
 */
export interface EventSink {
  emit(events: readonly VigilEvent[], options?: EmitOptions): void;
}
