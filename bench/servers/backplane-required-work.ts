/**
 * The benchmark's same-run baseline for the backplane: a pipeline doing ONLY the work issue 4
 * requires of every event, and none of the backplane's own — no Hono, no metrics, no logs, no
 * retries, no hub queue, no lag monitor — done the cheapest way we know (the backplane's grouped
 * Postgres writes). Run as its own process, like the backplane, with the same Kafka, Postgres,
 * topics layout and hub:
 *
 * - ingest: a bare node:http POST handler — the signature (core's verifyBody), JSON.parse, core's
 *   validateIngestBatch, then one kafkajs send (idempotent, acks -1, keyed by customer, murmur2),
 *   each event as the bytes it was validated from; 202 once Kafka has them;
 * - consumer: a kafkajs group member (the backplane's fetch sizes, 12 partitions at once) that
 *   parses each message, writes each batch with the backplane's own idempotent statement
 *   (event-store.ts: the tables the analysts' API needs) grouped with the batches that arrived
 *   with it (write-coalescer.ts, the backplane's settings), posts the live events to the hub, and
 *   only then commits the batch's offsets.
 *
 * Whatever rate this reaches on the machine is what any backplane doing the required work reaches
 * at best; the backplane's rate beside it says what its own work costs.
 *
 * Env: ROLES (ingest, consumer or both, as the backplane's VIGIL_BACKPLANE_ROLES; default both),
 * VIGIL_BACKPLANE_PORT, KAFKA_BROKERS, DATABASE_URL, TOPIC_PREFIX, HUB_URL, HUB_SECRET, EVENTS_SECRET.
 */
import { createServer } from 'node:http';
import { Kafka, logLevel, Partitioners, type Message } from 'kafkajs';
import postgres from 'postgres';
import {
  DECISIONS_TOPIC,
  eventKey,
  FEEDBACK_TOPIC,
  SIGNATURE_HEADER,
  validateIngestBatch,
  verifyBody,
  type VigilEvent,
} from '@vigil/core';
import { isDataError, writeEvents } from '../../backplane/src/adapters/postgres/event-store.js';
import { migrate } from '../../backplane/src/adapters/postgres/migrate.js';
import { EVENTS_PER_WRITE, WRITES_IN_FLIGHT } from '../../backplane/src/consumer/event-consumer.js';
import { liveEventOf } from '../../backplane/src/consumer/live-events.js';
import { WriteCoalescer } from '../../backplane/src/consumer/write-coalescer.js';
import { nodeHmacSha256 } from '../../backplane/src/http/node-hmac.js';
import { eventSlices } from '../../backplane/src/ingest/event-slices.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
const PARTITIONS = 6;
const roles = new Set((process.env.ROLES ?? 'ingest,consumer').split(','));
const decisions = `${env('TOPIC_PREFIX')}${DECISIONS_TOPIC}`;
const feedback = `${env('TOPIC_PREFIX')}${FEEDBACK_TOPIC}`;
const secret = env('EVENTS_SECRET');
const hubUrl = `${env('HUB_URL')}/internal/hub/publish`;
const hubAuth = `Bearer ${env('HUB_SECRET')}`;

const sql = postgres(env('DATABASE_URL'), { max: 10, onnotice: () => undefined });
await migrate(sql);

const kafka = new Kafka({ brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({
  waitForLeaders: true,
  topics: [decisions, feedback].map((topic) => ({ topic, numPartitions: PARTITIONS })),
});
await admin.disconnect();
const producer = kafka.producer({
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
});
await producer.connect();

const UTF8 = new TextDecoder();

/** The ingest's required work; the answer's status code. */
async function ingest(bytes: Buffer, signature: string | undefined): Promise<number> {
  const body = UTF8.decode(bytes);
  const check = await verifyBody(nodeHmacSha256, secret, body, signature, Date.now() / 1000);
  if (!check.ok) return 401;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return 400;
  }
  const v = validateIngestBatch(json);
  if (!v.ok) return 400;
  const events = v.value.events;
  const slices = eventSlices(bytes, events.length);
  const byTopic = new Map<string, Message[]>([
    [decisions, []],
    [feedback, []],
  ]);
  events.forEach((e, i) => {
    byTopic.get(e.type === 'decision' ? decisions : feedback)!.push({
      key: eventKey(e),
      value: slices?.[i] ?? JSON.stringify(e),
    });
  });
  await producer.sendBatch({
    acks: -1,
    topicMessages: [...byTopic]
      .filter(([, messages]) => messages.length > 0)
      .map(([topic, messages]) => ({ topic, messages })),
  });
  return 202;
}

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const signature = req.headers[SIGNATURE_HEADER.toLowerCase()];
    ingest(Buffer.concat(chunks), typeof signature === 'string' ? signature : undefined).then(
      (status) => res.writeHead(status).end(),
      () => res.writeHead(503).end(),
    );
  });
});

interface Batch {
  readonly events: VigilEvent[];
  readonly texts: string[];
}
const writes = new WriteCoalescer<Batch>(
  (batches) =>
    writeEvents(
      sql,
      batches.flatMap((b) => b.events),
      batches.flatMap((b) => b.texts),
    ).then(() => undefined),
  {
    maxRows: EVENTS_PER_WRITE,
    maxInFlight: WRITES_IN_FLIGHT,
    rowsOf: (b) => b.events.length,
    isDataError,
  },
);

const consumer = kafka.consumer({
  groupId: 'required-work',
  maxBytes: 50 * 1_048_576,
  maxBytesPerPartition: 16 * 1_048_576,
  maxWaitTimeInMs: 50,
});
if (roles.has('consumer')) {
  await consumer.connect();
  await consumer.subscribe({ topics: [decisions, feedback], fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 2 * PARTITIONS,
    eachBatch: async (p) => {
      const { batch } = p;
      const last = batch.messages.at(-1);
      if (!last) return;
      const texts = batch.messages.map((m) => m.value!.toString());
      const events = texts.map((t) => JSON.parse(t) as VigilEvent);
      await writes.write({ events, texts });
      const res = await fetch(hubUrl, {
        method: 'POST',
        headers: { authorization: hubAuth, 'content-type': 'application/json' },
        body: JSON.stringify({ events: events.map(liveEventOf) }),
      });
      await res.arrayBuffer();
      p.resolveOffset(last.offset);
      await p.commitOffsetsIfNecessary();
    },
  });
}

server.listen(Number(env('VIGIL_BACKPLANE_PORT')), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  void Promise.all([consumer.disconnect(), producer.disconnect(), sql.end()]).finally(() =>
    process.exit(0),
  );
});
