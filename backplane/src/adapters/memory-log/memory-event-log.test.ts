import { describe, expect, it } from 'vitest';
import type { EachBatchPayload, LogConsumer } from '../event-log.port.js';
import { MemoryEventLog } from './memory-event-log.js';

const T = 'topic.a';

function records(from: number, n: number, key = (i: number) => `k${i % 7}`) {
  return Array.from({ length: n }, (_, i) => ({ key: key(from + i), value: `v${from + i}` }));
}

async function until(cond: () => boolean, ms = 3_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A consumer that records every value it resolves, resolving whole batches. */
async function recorder(log: MemoryEventLog, group: string, seen: string[]): Promise<LogConsumer> {
  const c = log.consumer(group);
  await c.run([T], {
    eachBatch: async (p) => {
      for (const m of p.batch.messages) seen.push(m.value!);
      p.resolveOffset(p.batch.messages.at(-1)!.offset);
      await p.commitOffsetsIfNecessary();
    },
  });
  return c;
}

describe('MemoryEventLog', () => {
  it('keeps each key on one partition, in order', async () => {
    const log = new MemoryEventLog();
    await log.start([T], 4);
    await log.producer.send([{ topic: T, messages: records(0, 100) }]);
    const byKey = new Map<string, number[]>();
    const c = log.consumer('g');
    await c.run([T], {
      eachBatch: (p) => {
        for (const m of p.batch.messages) {
          const list = byKey.get(m.key!) ?? [];
          list.push(Number(m.value!.slice(1)));
          byKey.set(m.key!, list);
        }
        p.resolveOffset(p.batch.messages.at(-1)!.offset);
        return Promise.resolve();
      },
    });
    await until(() => [...byKey.values()].reduce((n, l) => n + l.length, 0) === 100);
    await c.stop();
    for (const l of byKey.values()) expect(l).toEqual([...l].sort((a, b) => a - b));
    expect(await log.lag('g', [T])).toBe(0);
  });

  it('resumes a group after its committed offset: nothing lost, nothing repeated', async () => {
    const log = new MemoryEventLog();
    await log.start([T], 2);
    await log.producer.send([{ topic: T, messages: records(0, 50) }]);
    const seen: string[] = [];
    const first = await recorder(log, 'g', seen);
    await until(() => seen.length === 50);
    await first.stop();
    await log.producer.send([{ topic: T, messages: records(50, 30) }]);
    expect(await log.lag('g', [T])).toBe(30);
    const second = await recorder(log, 'g', seen);
    await until(() => seen.length === 80);
    await second.stop();
    expect(new Set(seen).size).toBe(80);
  });

  it('delivers again what a batch did not resolve, and what a throwing batch left', async () => {
    const log = new MemoryEventLog({ retryDelayMs: 1, maxBatch: 10 });
    await log.start([T], 1);
    await log.producer.send([{ topic: T, messages: records(0, 10) }]);
    const deliveries: string[][] = [];
    let calls = 0;
    const c = log.consumer('g');
    await c.run([T], {
      eachBatch: async (p: EachBatchPayload) => {
        calls++;
        deliveries.push(p.batch.messages.map((m) => m.value!));
        if (calls === 1) return; // gave up: nothing resolved
        if (calls === 2) {
          p.resolveOffset(p.batch.messages[3]!.offset); // v0..v3 done
          throw new Error('boom');
        }
        p.resolveOffset(p.batch.messages.at(-1)!.offset);
        await p.commitOffsetsIfNecessary();
      },
    });
    await until(() => calls >= 3);
    await c.stop();
    expect(deliveries[0]).toEqual(records(0, 10).map((r) => r.value));
    expect(deliveries[1]).toEqual(deliveries[0]);
    expect(deliveries[2]).toEqual(records(4, 6).map((r) => r.value));
    expect(await log.lag('g', [T])).toBe(0);
  });

  it('commits per group: each group reads everything once', async () => {
    const log = new MemoryEventLog();
    await log.start([T], 3);
    // Both groups have joined once, so the log keeps what either has not committed.
    await (await recorder(log, 'b', [])).stop();
    await log.producer.send([{ topic: T, messages: records(0, 20) }]);
    const a: string[] = [];
    const ca = await recorder(log, 'a', a);
    await until(() => a.length === 20);
    await ca.stop();
    expect(await log.lag('a', [T])).toBe(0);
    expect(await log.lag('b', [T])).toBe(20);
    const b: string[] = [];
    const cb = await recorder(log, 'b', b);
    await until(() => b.length === 20);
    await cb.stop();
    expect(b.sort()).toEqual(a.sort());
  });

  it('refuses a second live member of one group', async () => {
    const log = new MemoryEventLog();
    await log.start([T], 1);
    const c = await recorder(log, 'g', []);
    await expect(recorder(log, 'g', [])).rejects.toThrow(/one consumer per group/);
    await c.stop();
    // Once the first has left, another may join.
    await (await recorder(log, 'g', [])).stop();
  });

  it('drops what every group committed, keeping offsets', async () => {
    const log = new MemoryEventLog();
    await log.start([T], 1);
    await log.producer.send([{ topic: T, messages: records(0, 10) }]);
    const seen: string[] = [];
    const c = await recorder(log, 'g', seen);
    await until(() => seen.length === 10);
    await c.stop();
    expect(log.partitions(T)[0]!.messages).toHaveLength(0);
    expect(log.endOffset(T, 0)).toBe(10);
    await log.producer.send([{ topic: T, messages: records(10, 1) }]);
    expect(log.read(T, 0, 10)).toEqual([{ offset: '10', key: 'k3', value: 'v10' }]);
  });
});
