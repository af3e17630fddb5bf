/**
 * Drill (b): Postgres restarts mid-stream, under a backplane in its own process (as deployed). The
 * ingest never notices (Kafka holds the events); the consumer's writes fail, are retried with
 * backoff while it keeps its partitions, and resume on fresh connections; nothing is committed to
 * Kafka before Postgres has it, and the process survives the connections dying under it.
 */
import { afterAll, expect, it } from 'vitest';
import { ChildBackplane, Drill, EdgeSender, freePort, sleep } from './support/drill.js';
import { restartPostgres } from './support/services.js';

let drill: Drill;
let sender: EdgeSender | undefined;
let child: ChildBackplane | undefined;

afterAll(async () => {
  await sender?.close();
  await child?.stop();
  await drill?.close();
});

it('writes every event once when Postgres restarts mid-stream', async () => {
  drill = await Drill.create('pgrestart');
  child = await ChildBackplane.start(drill.env(await freePort()), drill.run);
  sender = new EdgeSender(child.url);
  const events = drill.events(9_000);
  const streaming = sender.stream(events, 1_500);
  await sleep(2_500);
  const [row] = await drill.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM transactions`;
  const before = row!.n;
  await restartPostgres({ downMs: 2_000 });
  await streaming;
  await sender.drained();
  // The ingest kept answering 202 throughout: Postgres is behind Kafka, not in front of it.
  expect(sender.statuses.every((s) => s === 202)).toBe(true);
  expect(before).toBeGreaterThan(0);
  expect(before).toBeLessThan(events.length);
  await drill.expectAllLanded(events);
  expect(child.child.exitCode).toBeNull();
  const metrics = await (await fetch(`${child.url}/metrics`)).text();
  expect(metrics).toMatch(/vigil_backplane_db_write_failures_total [1-9]/);
});
