import { pino } from 'pino';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disabledHubPublisher } from '../adapters/hub/http-hub-publisher.js';
import { MemoryEventLog } from '../adapters/memory-log/memory-event-log.js';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '../adapters/postgres/embedded-pglite.js';
import { migrate } from '../adapters/postgres/migrate.js';
import { BackplaneMetrics } from '../http/backplane-metrics.js';
import { createEventProducer } from '../ingest/event-producer.js';
import { decisionEvent, feedbackEvent } from '../testing/fixtures.js';
import { startEventConsumer } from './event-consumer.js';

const TOPICS = { decisions: 'd', feedback: 'f' };
let pg: EmbeddedPostgres;
let sql: Sql;

beforeAll(async () => {
  pg = await startEmbeddedPostgres('memory');
  sql = postgres(pg.url, { max: 1, onnotice: () => undefined });
  await migrate(sql);
});

afterAll(async () => {
  await sql.end();
  await pg.close();
});

async function until(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the consumer on the in-process log and PGlite', () => {
  it('skips what fails validation or what Postgres refuses, writes the rest, commits', async () => {
    const log = new MemoryEventLog();
    await log.start([TOPICS.decisions, TOPICS.feedback], 2);
    const metrics = new BackplaneMetrics({ processMetrics: false });
    const consumer = await startEventConsumer({
      eventLog: log,
      groupId: 'g',
      topics: [TOPICS.decisions, TOPICS.feedback],
      sql,
      hub: disabledHubPublisher,
      metrics,
      log: pino({ level: 'silent' }),
    });
    try {
      const good = Array.from({ length: 20 }, (_, i) => decisionEvent(i, 'cons'));
      // Valid by the schemas, but Postgres text cannot hold a NUL character.
      const nul = { ...decisionEvent(20, 'cons'), model_version: 'gbdt\u0000x' };
      await createEventProducer(log.producer, TOPICS).send([...good.slice(0, 10), nul]);
      await log.producer.send([
        { topic: TOPICS.decisions, messages: [{ key: 'c_1', value: '{"not":"an event"}' }] },
      ]);
      await createEventProducer(log.producer, TOPICS).send(good.slice(10));
      await until(async () => (await log.lag('g', [TOPICS.decisions, TOPICS.feedback])) === 0);
      const [r] = await sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM transactions WHERE transaction_id LIKE 'tx_cons_%'`;
      expect(r!.n).toBe(20);
      const text = await metrics.registry.metrics();
      expect(text).toContain('vigil_backplane_invalid_messages_total 1');
      expect(text).toContain('vigil_backplane_rejected_events_total 1');
      expect(text).toContain('vigil_backplane_consumed_events_total{type="decision"} 21');
    } finally {
      await consumer.stop();
    }
  });

  it('blocks the card of a fraud verdict it consumes, for VIGIL_BLOCK_ON_FRAUD_DAYS', async () => {
    const log = new MemoryEventLog();
    await log.start([TOPICS.decisions, TOPICS.feedback], 2);
    const consumer = await startEventConsumer({
      eventLog: log,
      groupId: 'g-block',
      topics: [TOPICS.decisions, TOPICS.feedback],
      sql,
      hub: disabledHubPublisher,
      metrics: new BackplaneMetrics({ processMetrics: false }),
      log: pino({ level: 'silent' }),
      blockOnFraudDays: 7,
    });
    try {
      const d = decisionEvent(1, 'blk');
      const fraud = {
        ...feedbackEvent(1, 'fraud', '2018-08-10T00:00:00Z', 'blk'),
        customer_id: d.transaction.customer_id,
      };
      await createEventProducer(log.producer, TOPICS).send([d, fraud]);
      await until(
        async () => (await log.lag('g-block', [TOPICS.decisions, TOPICS.feedback])) === 0,
      );
      const [item] = await sql<{ reason: string; days: number }[]>`
        SELECT reason, round(extract(epoch FROM expires_at - added_at) / 86400)::int AS days
        FROM list_items WHERE list = 'blocked_customers' AND value = ${d.transaction.customer_id}`;
      expect(item).toEqual({ reason: 'confirmed fraud on tx_blk_1', days: 7 });
    } finally {
      await consumer.stop();
    }
  });
});
