/**
 * Drill (c): Kafka is stopped for 10 s mid-stream. Meanwhile the ingest answers 503 with
 * Retry-After and the edge's sink retries; the consumer loses its broker and comes back. Once
 * Kafka is back, everything lands once.
 */
import { afterAll, expect, it } from 'vitest';
import type { Backplane } from '../src/main.js';
import { Drill, EdgeSender, sleep } from './support/drill.js';
import { startKafka, stopKafka } from './support/services.js';

let drill: Drill;
let sender: EdgeSender | undefined;
let bp: Backplane | undefined;

afterAll(async () => {
  await startKafka();
  await sender?.close();
  await bp?.close();
  await drill?.close();
});

it('answers 503 while Kafka is down, then takes everything in once it is back', async () => {
  drill = await Drill.create('kafkadown');
  bp = await drill.startBackplane(0);
  sender = new EdgeSender(bp.url);
  const events = drill.events(8_000);
  const streaming = sender.stream(events, 800);
  await sleep(2_500);
  await stopKafka();
  const stoppedAt = sender.statuses.length;
  await sleep(10_000);
  const during = sender.statuses.slice(stoppedAt);
  await startKafka();
  await streaming;
  await sender.drained(120_000);
  expect(during).toContain(503);
  expect(during).not.toContain(500);
  await drill.expectAllLanded(events, 120_000);
});
