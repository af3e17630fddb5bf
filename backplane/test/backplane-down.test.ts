/**
 * Drill (e): the edge's target backplane is down for 30 s. The edge's event sink (its outbox,
 * edge/src/events) keeps the events, retries with capped backoff, and delivers them all once the
 * backplane is back on the same address.
 */
import { afterAll, expect, it } from 'vitest';
import type { Backplane } from '../src/main.js';
import { Drill, EdgeSender, freePort, sleep } from './support/drill.js';

let drill: Drill;
let sender: EdgeSender | undefined;
let bp: Backplane | undefined;

afterAll(async () => {
  await sender?.close();
  await bp?.close();
  await drill?.close();
});

it('delivers everything the edge emitted while its backplane was down for 30 s', async () => {
  drill = await Drill.create('bpdown');
  const port = await freePort();
  bp = await drill.startBackplane(port);
  sender = new EdgeSender(bp.url);
  const events = drill.events(6_000);
  const streaming = sender.stream(events, 200);
  await sleep(2_000);
  await bp.close();
  bp = undefined;
  const downAt = sender.statuses.length;
  await sleep(30_000);
  const queued = sender.sink.depth;
  bp = await drill.startBackplane(port);
  await streaming;
  await sender.drained(60_000);
  // The outage was real: attempts failed, events waited in the outbox, none was dropped.
  expect(sender.statuses.slice(downAt).filter((s) => s === 0).length).toBeGreaterThan(0);
  expect(queued).toBeGreaterThan(1_000);
  await drill.expectAllLanded(events);
});
