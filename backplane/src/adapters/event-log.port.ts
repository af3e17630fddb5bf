/**
 * The append-only log the backplane writes events to and consumes them from: Kafka
 * (adapters/kafka) or, without KAFKA_BROKERS, the in-process log (adapters/memory-log). The shape
 * is a subset of kafkajs's own — producer.send, consumer.run({ eachBatch }) with resolveOffset,
 * commitOffsetsIfNecessary, heartbeat, isRunning and isStale — so the consumer code above it is one
 * code path for both, with the same commit semantics: a consumer group resumes after the last
 * committed offset of each partition, and whatever was not committed is delivered again.
 */

/** One record to append: routed to a partition by its key. */
export interface LogRecord {
  readonly key: string;
  /** The event's JSON: text, or its UTF-8 bytes (what the ingest received, produced as is). */
  readonly value: string | Buffer;
}

export interface TopicRecords {
  readonly topic: string;
  readonly messages: readonly LogRecord[];
}

export interface LogProducer {
  /** Append records to their topics; resolves once the log holds them (Kafka: acks = -1). */
  send(batches: readonly TopicRecords[]): Promise<void>;
  /** Whether the producer is connected (for /healthz). */
  readonly connected: boolean;
}

/** One consumed message: offsets are decimal strings, as in kafkajs. */
export interface LogMessage {
  readonly offset: string;
  readonly key: string | null;
  readonly value: string | null;
}

export interface LogBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly LogMessage[];
}

export interface EachBatchPayload {
  readonly batch: LogBatch;
  /** Mark the batch processed up to and including `offset` (in memory). */
  resolveOffset(offset: string): void;
  /** Commit the resolved offsets: a restarted or rebalanced group resumes after them. */
  commitOffsetsIfNecessary(): Promise<void>;
  /** Tell the group this member is alive during long work; rejects during a rebalance. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping. */
  isRunning(): boolean;
  /** True when the partition was taken away or sought: abandon the batch without resolving. */
  isStale(): boolean;
}

export interface ConsumerRunOptions {
  /** Called per topic-partition batch; unresolved messages are delivered again. */
  eachBatch(payload: EachBatchPayload): Promise<void>;
  /** How many partitions are processed at the same time (default 1). */
  readonly partitionsConsumedConcurrently?: number;
}

export interface LogConsumer {
  /** Join the group, subscribed to `topics` from the earliest uncommitted offset, and consume. */
  run(topics: readonly string[], options: ConsumerRunOptions): Promise<void>;
  /** Finish the batch in hand, commit resolved offsets and leave the group. */
  stop(): Promise<void>;
}

export interface EventLog {
  /** 'kafka' or 'memory', for logs and /healthz. */
  readonly kind: 'kafka' | 'memory';
  /** Create the topics when missing (partitions per topic) and connect the producer. */
  start(topics: readonly string[], partitions: number): Promise<void>;
  readonly producer: LogProducer;
  /** A new member of consumer group `groupId`. */
  consumer(groupId: string): LogConsumer;
  /** Messages not yet committed by `groupId` on `topics`: Σ (end offset − committed offset). */
  lag(groupId: string, topics: readonly string[]): Promise<number>;
  /** Disconnect everything this log opened (consumers are stopped by their owners first). */
  close(): Promise<void>;
}

/** The log cannot take records now (Kafka down, timed out): the ingest answers 503. */
export class LogUnavailableError extends Error {
  readonly code = 'LOG_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogUnavailableError';
  }
}
