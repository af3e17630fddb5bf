/**
 * The backplane benchmark's baselines, each alone with the backplane stopped: Postgres (the same
 * idempotent writes, no Kafka), Kafka (kafkajs produce of the same messages, acks -1, then a
 * consumer reading them back) and the ingest's checks (HMAC, JSON.parse, core's schemas).
 */
import { CompressionTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import { eventKey, signBody, validateIngestBatch, verifyBody, type VigilEvent } from '@vigil/core';
import { writeEvents } from '../backplane/src/adapters/postgres/event-store.js';
import { migrate } from '../backplane/src/adapters/postgres/migrate.js';
import { nodeHmacSha256 } from '../backplane/src/http/node-hmac.js';
import { BATCH, CONCURRENCY, inFlight, runDatabase, SECRET } from './backplane-setup.js';
import { ownCpuSeconds } from './proc-cpu.js';

/** One baseline's rate and where its CPU went. */
export interface Baseline {
  readonly events: number;
  readonly seconds: number;
  /** The service's CPU seconds (PostgreSQL's processes, the Kafka JVM) during the timed part. */
  readonly serviceCpu: number;
  /** This process's CPU seconds meanwhile: the client (postgres, kafkajs) and nothing else busy. */
  readonly clientCpu: number;
}

/** Time `work` and take the CPU the service and this process used during it. */
export async function measured(
  events: number,
  service: () => number,
  work: () => Promise<void>,
): Promise<Baseline> {
  const service0 = service();
  const client0 = ownCpuSeconds();
  const t0 = performance.now();
  await work();
  const seconds = (performance.now() - t0) / 1000;
  return {
    events,
    seconds,
    serviceCpu: service() - service0,
    clientCpu: ownCpuSeconds() - client0,
  };
}

/** Postgres alone: the consumer's own idempotent writes, 1,000 events a transaction, 4 at once. */
export async function baselinePostgres(
  adminUrl: string,
  run: string,
  list: VigilEvent[],
  service: () => number,
): Promise<Baseline> {
  const db = await runDatabase(adminUrl, `${run}_pg`, CONCURRENCY);
  const { sql } = db;
  try {
    await migrate(sql);
    const texts = list.map((e) => JSON.stringify(e));
    return await measured(list.length, service, () =>
      inFlight(list.length, BATCH, (i, j) => writeEvents(sql, list.slice(i, j), texts.slice(i, j))),
    );
  } finally {
    await db.drop();
  }
}

/**
 * Kafka alone: kafkajs produce of the same messages, idempotent, acks -1, 4 sends at once; then a
 * consumer group member reading them back (counted from its joining the group to the last message:
 * the fetches and their decoding, nothing done with the messages).
 */
export async function baselineKafka(
  brokers: string,
  run: string,
  list: VigilEvent[],
  service: () => number,
): Promise<{ produce: Baseline; consume: Baseline }> {
  const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `${run}.baseline`;
  await admin.createTopics({
    topics: [{ topic, numPartitions: 6, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  // The backplane's own fetch sizes (adapters/kafka).
  const consumer = kafka.consumer({
    groupId: `${run}.baseline`,
    maxBytes: 50 * 1_048_576,
    maxBytesPerPartition: 16 * 1_048_576,
    maxWaitTimeInMs: 50,
  });
  try {
    const messages = list.map((e) => ({ key: eventKey(e), value: JSON.stringify(e) }));
    const produce = await measured(messages.length, service, () =>
      inFlight(messages.length, BATCH, (i, j) =>
        producer.sendBatch({
          topicMessages: [{ topic, messages: messages.slice(i, j) }],
          acks: -1,
          compression: CompressionTypes.None,
        }),
      ),
    );

    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let from: { service: number; client: number; t: number } | null = null;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      from ??= { service: service(), client: ownCpuSeconds(), t: performance.now() };
    });
    let seen = 0;
    const consume = await new Promise<Baseline>((resolve, reject) => {
      const deadline = setTimeout(
        () => reject(new Error('Kafka consume baseline: 5 min')),
        300_000,
      );
      consumer
        .run({
          eachBatch: ({ batch }) => {
            seen += batch.messages.length;
            if (seen >= messages.length && from) {
              clearTimeout(deadline);
              resolve({
                events: seen,
                seconds: (performance.now() - from.t) / 1000,
                serviceCpu: service() - from.service,
                clientCpu: ownCpuSeconds() - from.client,
              });
            }
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
    return { produce, consume };
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

/**
 * The ingest's checks alone, in this process: each batch's signature (HMAC-SHA256), JSON.parse and
 * core's validateIngestBatch, as every implementation of the issue must do for every event.
 */
export async function baselineChecks(bodies: readonly string[], events: number): Promise<Baseline> {
  const now = Date.now() / 1000;
  const signed = await Promise.all(bodies.map((b) => signBody(nodeHmacSha256, SECRET, b, now)));
  return measured(
    events,
    () => 0,
    async () => {
      for (let i = 0; i < bodies.length; i++) {
        const check = await verifyBody(
          nodeHmacSha256,
          SECRET,
          bodies[i]!,
          signed[i],
          Date.now() / 1000,
        );
        if (!check.ok || !validateIngestBatch(JSON.parse(bodies[i]!)).ok) {
          throw new Error('a benchmark batch failed the ingest checks');
        }
      }
    },
  );
}
