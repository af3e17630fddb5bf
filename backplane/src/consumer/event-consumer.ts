/**
 * The consumer group: each batch (one topic partition) is checked (structurally: the ingest, the
 * only producer, validated every event with core's schemas — see consumed-event.ts), written to
 * Postgres idempotently, together with the other partitions' batches that arrived with it
 * (write-coalescer.ts) — retried until it succeeds, so a Postgres restart only delays it — then
 * handed to the LiveHub publisher, and only then are its offsets resolved and committed. A crash
 * anywhere before the commit means the batch is delivered again: the upserts make that harmless,
 * and the hub drops events it already has.
 *
 * While the hub is healthy the consumer waits (briefly, `hubWaitMs`) for its acknowledgement before
 * committing, so a crash between the write and the publish is resumed by the redelivery; while the
 * hub fails it does not wait at all — Postgres writes never queue behind the hub.
 */
import type { VigilEvent } from '@vigil/core';
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { EachBatchPayload, EventLog, LogConsumer } from '../adapters/event-log.port.js';
import type { HubPublisher } from '../adapters/hub-publisher.port.js';
import { isDataError, writeEvents } from '../adapters/postgres/event-store.js';
import type { BackplaneMetrics } from '../http/backplane-metrics.js';
import { checkConsumedEvent } from './consumed-event.js';
import { liveEventOf } from './live-events.js';
import { WriteCoalescer } from './write-coalescer.js';

export interface EventConsumerOptions {
  readonly eventLog: EventLog;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly sql: Sql;
  readonly hub: HubPublisher;
  readonly metrics: BackplaneMetrics;
  readonly log: Logger;
  /** Partitions processed at once (default 12: both topics of 6 partitions in one fetch round). */
  readonly concurrency?: number;
  /** Longest wait for the hub's acknowledgement before committing (default 2 s; 0 = never). */
  readonly hubWaitMs?: number;
  /** Longest wait between Postgres retries (default 5 s). */
  readonly maxRetryDelayMs?: number;
  /** Batches are gathered into one Postgres write up to this many events (EVENTS_PER_WRITE). */
  readonly maxEventsPerWrite?: number;
  /**
   * Days a fraud verdict puts its card on blocked_customers (VIGIL_BLOCK_ON_FRAUD_DAYS, which
   * main.ts passes); default 0: never.
   */
  readonly blockOnFraudDays?: number;
}

/**
 * Batches are gathered into one Postgres write up to this many events: two of event-store's
 * 1,000-row statements, past which a row costs Postgres no less. A larger batch is written alone
 * (write-coalescer.ts).
 */
export const EVENTS_PER_WRITE = 2_000;

/**
 * Postgres writes running at once. While the consumer is behind, a fetch round brings thousands of
 * events: several writes at once let Postgres use every core (one statement runs on one).
 */
export const WRITES_IN_FLIGHT = 4;

export interface RunningConsumer {
  /** Finish the batch in hand, commit, leave the group. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Longest a batch's write may take before it counts as failed and is retried: a query lost with
 * its connection (porsager/postgres#1208) must not hold a partition for ever.
 */
export const WRITE_TIMEOUT_MS = 60_000;

class WriteTimeoutError extends Error {
  readonly code = 'WRITE_TIMEOUT';
  constructor() {
    super(`postgres write did not finish within ${WRITE_TIMEOUT_MS} ms`);
    this.name = 'WriteTimeoutError';
  }
}

function withDeadline<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WriteTimeoutError()), WRITE_TIMEOUT_MS);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

interface ParsedBatch {
  readonly events: VigilEvent[];
  /** The JSON text of each event, as consumed (handed to Postgres as is). */
  readonly texts: string[];
}

/** The events of a batch that pass the consumer's check; the rest are logged, counted and skipped. */
function parseBatch(
  payload: EachBatchPayload,
  metrics: BackplaneMetrics,
  log: Logger,
): ParsedBatch {
  const { topic, partition, messages } = payload.batch;
  const events: VigilEvent[] = [];
  const texts: string[] = [];
  for (const m of messages) {
    const c = checkConsumedEvent(m.value);
    if (c.ok) {
      events.push(c.value);
      texts.push(m.value!);
    } else {
      // A poison message must not stop the partition: it is skipped (and committed past).
      metrics.invalidMessages.inc();
      log.error(
        { topic, partition, offset: m.offset, problem: c.problem },
        'invalid message skipped',
      );
    }
  }
  return { events, texts };
}

/** Join the group and consume until stopped. */
export async function startEventConsumer(o: EventConsumerOptions): Promise<RunningConsumer> {
  const log = o.log.child({ component: 'consumer', group: o.groupId });
  const hubWaitMs = o.hubWaitMs ?? 2_000;
  const maxDelay = o.maxRetryDelayMs ?? 5_000;
  let lastWriteWarn = 0;
  const writeOptions = { blockOnFraudDays: o.blockOnFraudDays ?? 0 };

  // The batches of one fetch round arrive together: written together (group commit).
  const writes = new WriteCoalescer<ParsedBatch>(
    async (batches) => {
      const one = batches.length === 1 ? batches[0]! : undefined;
      const events = one ? one.events : batches.flatMap((b) => b.events);
      const texts = one ? one.texts : batches.flatMap((b) => b.texts);
      const t0 = performance.now();
      try {
        await withDeadline(writeEvents(o.sql, events, texts, writeOptions));
      } catch (err) {
        o.metrics.dbWriteFailures.inc();
        throw err;
      }
      o.metrics.dbWriteSeconds.observe((performance.now() - t0) / 1000);
      o.metrics.dbWriteEvents.observe(events.length);
    },
    {
      maxRows: o.maxEventsPerWrite ?? EVENTS_PER_WRITE,
      maxInFlight: WRITES_IN_FLIGHT,
      rowsOf: (b) => b.events.length,
      isDataError,
    },
  );

  /** True when every event was written or set aside; false on a transient error (retry all). */
  const writeOneByOne = async (
    events: readonly VigilEvent[],
    texts: readonly string[],
    where: { topic: string; partition: number },
  ): Promise<boolean> => {
    for (let i = 0; i < events.length; i++) {
      try {
        await withDeadline(writeEvents(o.sql, [events[i]!], [texts[i]!], writeOptions));
      } catch (err) {
        if (!isDataError(err)) return false;
        o.metrics.rejectedEvents.inc();
        log.error(
          { err, ...where, event_id: events[i]!.event_id },
          'postgres refused an event: set aside (it stays in Kafka)',
        );
      }
    }
    return true;
  };

  const eachBatch = async (p: EachBatchPayload): Promise<void> => {
    const { topic, partition, messages } = p.batch;
    const last = messages.at(-1);
    if (!last) return;
    o.metrics.consumerBatchSize.observe(messages.length);
    const { events, texts } = parseBatch(p, o.metrics, log);

    for (let attempt = 0; ; attempt++) {
      // Retries give the batch up when it is no longer ours (stopping, rebalanced): the next owner
      // gets it again from the committed offset.
      if (attempt > 0 && (!p.isRunning() || p.isStale())) return;
      try {
        await writes.write({ events, texts });
        break;
      } catch (err) {
        if (isDataError(err)) {
          // Postgres refuses something in the batch itself: write the events one by one and set
          // aside those it refuses, rather than retry the same batch for ever.
          if (await writeOneByOne(events, texts, { topic, partition })) break;
        } else if (Date.now() - lastWriteWarn > 5_000) {
          lastWriteWarn = Date.now();
          log.warn(
            { err, topic, partition, first_offset: messages[0]!.offset, attempt },
            'postgres write failed; retrying',
          );
        }
        await sleep(Math.min(maxDelay, 200 * 2 ** Math.min(attempt, 8)));
        try {
          await p.heartbeat();
        } catch {
          return;
        }
      }
    }
    let decisions = 0;
    for (const e of events) if (e.type === 'decision') decisions++;
    if (decisions > 0) o.metrics.consumedEvents.inc({ type: 'decision' }, decisions);
    if (decisions < events.length) {
      o.metrics.consumedEvents.inc({ type: 'feedback' }, events.length - decisions);
    }

    const outcome = o.hub.publish(events.map(liveEventOf));
    if (hubWaitMs > 0 && o.hub.healthy) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        outcome,
        new Promise<void>((r) => (timer = setTimeout(r, hubWaitMs))),
      ]).finally(() => clearTimeout(timer));
    }

    p.resolveOffset(last.offset);
    await p.commitOffsetsIfNecessary();
    log.debug(
      {
        topic,
        partition,
        first_offset: messages[0]!.offset,
        last_offset: last.offset,
        events: events.length,
        first_event_id: events[0]?.event_id,
        last_event_id: events.at(-1)?.event_id,
      },
      'batch written and committed',
    );
  };

  const consumer: LogConsumer = o.eventLog.consumer(o.groupId);
  await consumer.run(o.topics, {
    eachBatch,
    partitionsConsumedConcurrently: o.concurrency ?? 12,
  });
  log.info({ topics: o.topics }, 'consumer started');
  return {
    async stop() {
      await consumer.stop();
      log.info('consumer stopped');
    },
  };
}
