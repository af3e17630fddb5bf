/**
 * Drill (d): two consumers in one group. A second backplane (consumer only) joins mid-stream, the
 * group rebalances and the partitions are shared; then it leaves and the first takes them all
 * back. Each batch is committed only after its Postgres write, so no event is lost or doubled.
 */
import { afterAll, expect, it } from 'vitest';
import type { Backplane } from '../src/main.js';
import { Drill, EdgeSender, sleep, until } from './support/drill.js';

let drill: Drill;
let sender: EdgeSender | undefined;
let a: Backplane | undefined;
let b: Backplane | undefined;

afterAll(async () => {
  await sender?.close();
  await b?.close();
  await a?.close();
  await drill?.close();
});

async function consumed(bp: Backplane): Promise<number> {
  const text = await (await fetch(`${bp.url}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^vigil_backplane_consumed_events_total\{[^}]*\} (\d+)/gm)) {
    n += Number(m[1]);
  }
  return n;
}

it('shares the partitions with a second consumer, then takes them back', async () => {
  drill = await Drill.create('rebalance');
  a = await drill.startBackplane(0);
  sender = new EdgeSender(a.url);
  const events = drill.events(10_000);
  const streaming = sender.stream(events, 1_000);
  await sleep(2_000);
  b = await drill.startBackplane(0, { VIGIL_BACKPLANE_ROLES: 'consumer' });
  // B must really have joined and taken partitions before it leaves.
  await until('the second consumer to take a share', async () => (await consumed(b!)) > 0, 30_000);
  await sleep(1_500);
  const byB = await consumed(b);
  await b.close();
  b = undefined;
  await streaming;
  await sender.drained();
  expect(byB).toBeGreaterThan(0);
  await drill.expectAllLanded(events);
  expect(await consumed(a)).toBeGreaterThan(0);
});
