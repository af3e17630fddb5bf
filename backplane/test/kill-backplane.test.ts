/**
 * Drill (a): the backplane is killed with SIGKILL mid-stream — no shutdown, batches half-written,
 * offsets uncommitted, ingest requests cut — and restarted on the same address. The edge's sink
 * retries what it got no answer for; the new process's consumer takes over the group.
 */
import { afterAll, expect, it } from 'vitest';
import { ChildBackplane, Drill, EdgeSender, freePort, sleep } from './support/drill.js';

let drill: Drill;
let sender: EdgeSender | undefined;
let child: ChildBackplane | undefined;

afterAll(async () => {
  await sender?.close();
  if (child) await child.kill9();
  await drill?.close();
});

it('loses and duplicates nothing when the backplane is kill -9ed and restarted', async () => {
  drill = await Drill.create('kill');
  const port = await freePort();
  const env = drill.env(port);
  child = await ChildBackplane.start(env, `${drill.run}-1`);
  sender = new EdgeSender(child.url);
  const events = drill.events(9_000);
  let killed = false;
  const streaming = sender.stream(events, 1_500);
  // Mid-stream: about a third of the events are out.
  await sleep(2_500);
  await child.kill9();
  killed = true;
  const before = drill.hub.firstSeen.size;
  await sleep(1_000);
  child = await ChildBackplane.start(env, `${drill.run}-2`);
  await streaming;
  await sender.drained();
  expect(killed).toBe(true);
  expect(before).toBeLessThan(events.length);
  // The sink saw the dead backplane: connection errors, retried.
  expect(sender.statuses.filter((s) => s === 0).length).toBeGreaterThan(0);
  await drill.expectAllLanded(events);
});
