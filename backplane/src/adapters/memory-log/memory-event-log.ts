/**
 * The in-process event log: what the backplane uses without KAFKA_BROKERS (`npm start`). A small
 * append-only log per topic partition with committed offsets per consumer group, behind the same
 * port as Kafka and with the same commit semantics: a member resumes after the group's committed
 * offset, unresolved messages are delivered again, resolved ones are committed after the batch.
 *
 * NOT DURABLE: everything lives in this process's memory and is gone when it exits. Events that
 * were acknowledged by the ingest but not yet written to Postgres are lost on a crash or restart.
 * It is for local runs only; production and the fault drills use Kafka. Memory stays bounded:
 * messages every group that ever joined has committed are dropped (a group joining later starts
 * after them), and a partition keeps at most `maxRetained`.
 */
import {
  type ConsumerRunOptions,
  type EventLog,
  type LogConsumer,
  type LogMessage,
  type LogProducer,
  type TopicRecords,
} from '../event-log.port.js';

interface Partition {
  /** Offset of messages[0]. */
  base: number;
  messages: { key: string; value: string }[];
}

export interface MemoryEventLogOptions {
  /** Most messages in one batch handed to a consumer (default 2,000). */
  readonly maxBatch?: number;
  /** Most messages a partition keeps, committed or not (default 1,000,000). */
  readonly maxRetained?: number;
  /** Wait before redelivering a batch whose handler threw (default 500 ms). */
  readonly retryDelayMs?: number;
  /** Told about handler errors (the batch is delivered again). */
  readonly onError?: (error: unknown) => void;
}

/** FNV-1a: a stable partition for a key, as Kafka's partitioner gives one. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The in-process log. */
export class MemoryEventLog implements EventLog {
  readonly kind = 'memory' as const;
  private readonly topics = new Map<string, Partition[]>();
  /** groupId → "topic\0partition" → next offset to consume. */
  private readonly committed = new Map<string, Map<string, number>>();
  private readonly activeMembers = new Set<string>();
  private wakers: (() => void)[] = [];
  private partitionsPerTopic = 1;
  readonly maxBatch: number;
  private readonly maxRetained: number;
  readonly retryDelayMs: number;
  readonly onError: (error: unknown) => void;

  readonly producer: LogProducer = {
    connected: true,
    send: (batches) => Promise.resolve(this.append(batches)),
  };

  constructor(options: MemoryEventLogOptions = {}) {
    this.maxBatch = options.maxBatch ?? 2_000;
    this.maxRetained = options.maxRetained ?? 1_000_000;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.onError = options.onError ?? (() => undefined);
  }

  start(topics: readonly string[], partitions: number): Promise<void> {
    this.partitionsPerTopic = partitions;
    for (const t of topics) this.ensureTopic(t);
    return Promise.resolve();
  }

  private ensureTopic(topic: string): Partition[] {
    let ps = this.topics.get(topic);
    if (!ps) {
      ps = Array.from({ length: this.partitionsPerTopic }, () => ({ base: 0, messages: [] }));
      this.topics.set(topic, ps);
    }
    return ps;
  }

  private append(batches: readonly TopicRecords[]): void {
    for (const b of batches) {
      const ps = this.ensureTopic(b.topic);
      for (const m of b.messages) {
        const p = ps[hash(m.key) % ps.length]!;
        const value = typeof m.value === 'string' ? m.value : m.value.toString('utf8');
        p.messages.push({ key: m.key, value });
        if (p.messages.length > this.maxRetained) {
          const drop = p.messages.length - this.maxRetained;
          p.messages.splice(0, drop);
          p.base += drop;
        }
      }
    }
    this.wake();
  }

  /** Wake every consumer waiting for messages. */
  wake(): void {
    const ws = this.wakers;
    this.wakers = [];
    for (const w of ws) w();
  }

  /** Resolves on the next append or wake-up (stop), or after `ms`. */
  waitForMessages(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakers.push(done);
    });
  }

  /** The partitions of `topic` (created on first use). */
  partitions(topic: string): Partition[] {
    return this.ensureTopic(topic);
  }

  /** The group's next offset on a partition: after its last commit, or the log's start. */
  committedOffset(groupId: string, topic: string, partition: number): number {
    const c = this.committed.get(groupId)?.get(`${topic}\0${partition}`);
    const p = this.ensureTopic(topic)[partition]!;
    return Math.max(c ?? 0, p.base);
  }

  commit(groupId: string, topic: string, partition: number, next: number): void {
    let g = this.committed.get(groupId);
    if (!g) this.committed.set(groupId, (g = new Map<string, number>()));
    const key = `${topic}\0${partition}`;
    if ((g.get(key) ?? 0) < next) g.set(key, next);
    this.trim(topic, partition);
  }

  /** Drop what every group has committed. */
  private trim(topic: string, partition: number): void {
    let min = Infinity;
    for (const g of this.committed.values())
      min = Math.min(min, g.get(`${topic}\0${partition}`) ?? 0);
    const p = this.ensureTopic(topic)[partition]!;
    const drop = Math.min(min - p.base, p.messages.length);
    if (drop > 0 && Number.isFinite(drop)) {
      p.messages.splice(0, drop);
      p.base += drop;
    }
  }

  /** Messages from `from` (absolute offset), at most maxBatch. */
  read(topic: string, partition: number, from: number): LogMessage[] {
    const p = this.ensureTopic(topic)[partition]!;
    const start = Math.max(0, from - p.base);
    return p.messages.slice(start, start + this.maxBatch).map((m, i) => ({
      offset: String(p.base + start + i),
      key: m.key,
      value: m.value,
    }));
  }

  endOffset(topic: string, partition: number): number {
    const p = this.ensureTopic(topic)[partition]!;
    return p.base + p.messages.length;
  }

  join(groupId: string): void {
    if (this.activeMembers.has(groupId)) {
      throw new Error(
        `the in-process log serves one consumer per group; ${groupId} already has one (use Kafka to run several)`,
      );
    }
    this.activeMembers.add(groupId);
    // Known from now on: what it has not committed is kept for it.
    if (!this.committed.has(groupId)) this.committed.set(groupId, new Map<string, number>());
  }

  leave(groupId: string): void {
    this.activeMembers.delete(groupId);
  }

  consumer(groupId: string): LogConsumer {
    return new MemoryConsumer(this, groupId);
  }

  lag(groupId: string, topics: readonly string[]): Promise<number> {
    let lag = 0;
    for (const t of topics) {
      this.ensureTopic(t).forEach((_, i) => {
        lag += this.endOffset(t, i) - this.committedOffset(groupId, t, i);
      });
    }
    return Promise.resolve(lag);
  }

  close(): Promise<void> {
    this.wake();
    return Promise.resolve();
  }
}

class MemoryConsumer implements LogConsumer {
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly log: MemoryEventLog,
    private readonly groupId: string,
  ) {}

  run(topics: readonly string[], options: ConsumerRunOptions): Promise<void> {
    this.log.join(this.groupId);
    this.running = true;
    const work: { topic: string; partition: number }[] = [];
    for (const topic of topics) {
      this.log.partitions(topic).forEach((_, partition) => work.push({ topic, partition }));
    }
    // Like kafkajs: at most `partitionsConsumedConcurrently` batches in the handler at once.
    let slots = Math.max(1, options.partitionsConsumedConcurrently ?? 1);
    const queue: (() => void)[] = [];
    const acquire = async () => {
      if (slots > 0) slots--;
      else await new Promise<void>((r) => queue.push(r));
    };
    const release = () => {
      const next = queue.shift();
      if (next) next();
      else slots++;
    };
    this.loops = work.map(({ topic, partition }) =>
      this.loop(topic, partition, options, acquire, release),
    );
    return Promise.resolve();
  }

  private async loop(
    topic: string,
    partition: number,
    options: ConsumerRunOptions,
    acquire: () => Promise<void>,
    release: () => void,
  ): Promise<void> {
    const { log, groupId } = this;
    let position = log.committedOffset(groupId, topic, partition);
    while (this.running) {
      if (position >= log.endOffset(topic, partition)) {
        await log.waitForMessages(1_000);
        continue;
      }
      const messages = log.read(topic, partition, position);
      // The highest offset the handler resolved (-1: none), set from its callbacks.
      const done = { resolved: -1 };
      await acquire();
      try {
        await options.eachBatch({
          batch: { topic, partition, messages },
          resolveOffset: (offset) => {
            done.resolved = Math.max(done.resolved, Number(offset));
          },
          commitOffsetsIfNecessary: () => {
            if (done.resolved >= 0) log.commit(groupId, topic, partition, done.resolved + 1);
            return Promise.resolve();
          },
          heartbeat: () => Promise.resolve(),
          isRunning: () => this.running,
          isStale: () => false,
        });
      } catch (error) {
        log.onError(error);
        // As kafkajs does after a failed batch: commit what was resolved, deliver the rest again.
        if (done.resolved >= 0) log.commit(groupId, topic, partition, done.resolved + 1);
        position = log.committedOffset(groupId, topic, partition);
        release();
        if (this.running) await sleep(log.retryDelayMs);
        continue;
      }
      release();
      // autoCommit: what the handler resolved is committed once the batch returns.
      if (done.resolved >= 0) {
        log.commit(groupId, topic, partition, done.resolved + 1);
        position = done.resolved + 1;
      } else {
        // Nothing resolved (the handler gave the batch up): deliver it again.
        position = log.committedOffset(groupId, topic, partition);
        if (this.running) await sleep(log.retryDelayMs);
      }
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.log.wake();
    await Promise.all(this.loops);
    this.loops = [];
    this.log.leave(this.groupId);
  }
}
