/**
 * The event log on Apache Kafka (kafkajs): an idempotent producer (acks -1, no compression: the
 * brokers are local and the CPU is the bottleneck) and consumer-group members that commit only
 * what the backplane resolved. kafkajs's own logs go through pino.
 */
import {
  CompressionTypes,
  Kafka,
  logLevel as KafkaLogLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import type { Logger } from 'pino';
import { createThrottle } from '@vigil/core';
import {
  LogUnavailableError,
  type ConsumerRunOptions,
  type EventLog,
  type LogConsumer,
  type LogProducer,
  type TopicRecords,
} from '../event-log.port.js';

export interface KafkaEventLogOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  readonly log: Logger;
  /** Longest a send may take before the ingest gives up with 503 (default 8 s). */
  readonly sendTimeoutMs?: number;
  /** Consumer session timeout: how soon a dead member's partitions move (default 10 s). */
  readonly sessionTimeoutMs?: number;
}

/**
 * kafkajs's logs through pino. While a broker is away kafkajs logs every failed connection; each
 * distinct message is written at most once per 10 s (core's throttle), with how many occurrences
 * it stands for.
 */
function pinoLogCreator(log: Logger) {
  const hit = createThrottle();
  return () =>
    ({ level, log: entry }: LogEntry): void => {
      const { message, ...rest } = entry;
      if (level > KafkaLogLevel.WARN) {
        log.debug({ kafkajs: rest }, message);
        return;
      }
      const counts = hit(message.slice(0, 60));
      if (counts === null) return;
      const fields = { kafkajs: rest, occurrences: counts.occurrences };
      if (level === KafkaLogLevel.ERROR) log.error(fields, message);
      // The retries are bounded on purpose (see the producer): not worth a warning at every start.
      else if (message.startsWith('Limiting retries for the idempotent producer'))
        log.debug(fields, message);
      else log.warn(fields, message);
    };
}

/** Reject after `ms` (the send may still land later: event ids make that harmless). */
function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new LogUnavailableError(`${what} timed out after ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

class KafkaProducer implements LogProducer {
  connected = false;
  constructor(
    private readonly producer: Producer,
    private readonly timeoutMs: number,
  ) {
    producer.on(producer.events.CONNECT, () => (this.connected = true));
    producer.on(producer.events.DISCONNECT, () => (this.connected = false));
  }

  async send(batches: readonly TopicRecords[]): Promise<void> {
    const topicMessages = batches
      .filter((b) => b.messages.length > 0)
      .map((b) => ({ topic: b.topic, messages: b.messages.map((m) => ({ ...m })) }));
    if (topicMessages.length === 0) return;
    try {
      await withTimeout(
        this.producer.sendBatch({
          topicMessages,
          acks: -1,
          compression: CompressionTypes.None,
          timeout: this.timeoutMs,
        }),
        this.timeoutMs,
        'kafka send',
      );
    } catch (e) {
      if (e instanceof LogUnavailableError) throw e;
      throw new LogUnavailableError(
        `kafka send failed: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
  }
}

/** Wait before replacing a consumer that kafkajs gave up on. */
const RESTART_DELAY_MS = 5_000;

class KafkaConsumer implements LogConsumer {
  private consumer: Consumer | null = null;
  private stopped = false;
  private topics: readonly string[] = [];
  private options: ConsumerRunOptions | null = null;

  constructor(
    private readonly create: () => Consumer,
    private readonly log: Logger,
  ) {}

  async run(topics: readonly string[], options: ConsumerRunOptions): Promise<void> {
    this.topics = topics;
    this.options = options;
    await this.start();
  }

  private async start(): Promise<void> {
    const options = this.options!;
    const consumer = this.create();
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // kafkajs restarts itself after retriable errors; after the others it stops for good. The
      // backplane does not: it replaces the member (uncommitted batches are delivered again).
      if (payload.restart || this.stopped) return;
      this.log.error(
        { err: payload.error },
        `kafka consumer stopped after an error; a new one starts in ${RESTART_DELAY_MS} ms`,
      );
      setTimeout(() => void this.restart(), RESTART_DELAY_MS);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.topics], fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: true,
      // Commit on every commitOffsetsIfNecessary() call: right after the Postgres transaction.
      autoCommitThreshold: 1,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async (p) =>
        options.eachBatch({
          batch: {
            topic: p.batch.topic,
            partition: p.batch.partition,
            messages: p.batch.messages.map((m) => ({
              offset: m.offset,
              key: m.key ? m.key.toString('utf8') : null,
              value: m.value ? m.value.toString('utf8') : null,
            })),
          },
          resolveOffset: (offset) => p.resolveOffset(offset),
          commitOffsetsIfNecessary: () => p.commitOffsetsIfNecessary(),
          heartbeat: () => p.heartbeat(),
          isRunning: () => p.isRunning(),
          isStale: () => p.isStale(),
        }),
    });
  }

  private async restart(): Promise<void> {
    if (this.stopped) return;
    await this.consumer?.disconnect().catch(() => undefined);
    try {
      await this.start();
      this.log.info('kafka consumer replaced');
    } catch (err) {
      this.log.error({ err }, `kafka consumer cannot start; retrying in ${RESTART_DELAY_MS} ms`);
      setTimeout(() => void this.restart(), RESTART_DELAY_MS);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // disconnect() stops the runner (the batch in hand finishes and commits) and leaves the group.
    await this.consumer?.disconnect();
  }
}

/** The event log on Kafka. */
export class KafkaEventLog implements EventLog {
  readonly kind = 'kafka' as const;
  readonly producer: KafkaProducer;
  private readonly kafka: Kafka;
  private readonly rawProducer: Producer;
  private admin: Admin | null = null;
  private readonly sessionTimeoutMs: number;
  private readonly log: Logger;

  constructor(options: KafkaEventLogOptions) {
    this.log = options.log;
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'vigil-backplane',
      brokers: [...options.brokers],
      logLevel: KafkaLogLevel.INFO,
      logCreator: pinoLogCreator(options.log.child({ component: 'kafkajs' })),
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
      retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 5 },
    });
    this.rawProducer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Java's murmur2 partitioner: a customer's events land where any Kafka client puts them.
      createPartitioner: Partitioners.DefaultPartitioner,
      // A bounded number of retries: the ingest must answer 503 (so the edge retries) rather than
      // hold the request while Kafka is away. Event ids make a resent batch harmless.
      retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 3 },
    });
    this.producer = new KafkaProducer(this.rawProducer, options.sendTimeoutMs ?? 8_000);
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
  }

  private async getAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }

  async start(topics: readonly string[], partitions: number): Promise<void> {
    const admin = await this.getAdmin();
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      const { brokers } = await admin.describeCluster();
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: partitions,
          replicationFactor: Math.min(3, brokers.length),
        })),
      });
    }
    await this.rawProducer.connect();
  }

  consumer(groupId: string): LogConsumer {
    return new KafkaConsumer(
      () =>
        this.kafka.consumer({
          groupId,
          sessionTimeout: this.sessionTimeoutMs,
          heartbeatInterval: Math.min(3_000, Math.floor(this.sessionTimeoutMs / 4)),
          rebalanceTimeout: 30_000,
          allowAutoTopicCreation: false,
          // Large fetches for throughput, a short wait for latency to the hub.
          maxBytes: 50 * 1_048_576,
          maxBytesPerPartition: 16 * 1_048_576,
          maxWaitTimeInMs: 50,
          retry: { initialRetryTime: 300, maxRetryTime: 3_000, retries: 10 },
        }),
      this.log.child({ component: 'consumer', group: groupId }),
    );
  }

  async lag(groupId: string, topics: readonly string[]): Promise<number> {
    const admin = await this.getAdmin();
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    let lag = 0;
    for (const t of committed) {
      const ends = await admin.fetchTopicOffsets(t.topic);
      for (const p of t.partitions) {
        const end = ends.find((e) => e.partition === p.partition);
        if (!end) continue;
        const high = Number(end.high);
        // -1: nothing committed yet, so everything from the log's start is lag.
        const from = Number(p.offset) < 0 ? Number(end.low) : Number(p.offset);
        lag += Math.max(0, high - from);
      }
    }
    return lag;
  }

  async close(): Promise<void> {
    await this.rawProducer.disconnect();
    if (this.admin) await this.admin.disconnect();
    this.admin = null;
  }
}
