import { beforeEach, describe, expect, it } from 'vitest';
import type { LiveItem } from '@vigil/core';
import { backoffDelay } from './backoff.js';
import { createLiveSocket, liveUrlFor, type LiveGap, type NetworkStatus } from './live-socket.js';
import { FakeSocket, fakeClock, items } from '../test/fakes.js';

function setup(opts: { random?: () => number; network?: NetworkStatus } = {}) {
  const clock = fakeClock();
  const received: LiveItem[] = [];
  const gaps: LiveGap[] = [];
  const socket = createLiveSocket({
    url: liveUrlFor({ protocol: 'http:', host: 'vigil.test' }),
    create: (url) => new FakeSocket(url),
    random: opts.random ?? (() => 0.5),
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    ...(opts.network ? { network: opts.network } : {}),
  });
  socket.onItems((it) => received.push(...it));
  socket.onGap((g) => gaps.push(g));
  return { clock, socket, received, gaps };
}

beforeEach(() => FakeSocket.reset());

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and keeps half of the ceiling fixed', () => {
    const lo = () => 0;
    const hi = () => 1;
    expect(backoffDelay(1, lo)).toBe(250);
    expect(backoffDelay(1, hi)).toBe(500);
    expect(backoffDelay(2, hi)).toBe(1000);
    expect(backoffDelay(4, hi)).toBe(4000);
    expect(backoffDelay(50, hi)).toBe(30_000);
    expect(backoffDelay(50, lo)).toBe(15_000);
  });

  it('spreads clients apart with jitter', () => {
    const delays = [0.1, 0.4, 0.9].map((r) => backoffDelay(3, () => r));
    expect(new Set(delays).size).toBe(3);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(1000);
  });
});

describe('createLiveSocket', () => {
  it('connects without a resume point, goes live on hello and delivers items once each', () => {
    const { socket, received } = setup();
    expect(socket.state()).toBe('offline');
    socket.start();
    expect(socket.state()).toBe('connecting');
    const ws = FakeSocket.last();
    expect(ws.url).toBe('ws://vigil.test/v1/live');

    ws.send({ type: 'hello', last_seq: 10, oldest_seq: 1 });
    expect(socket.state()).toBe('live');
    ws.send({ type: 'events', items: items(11, 3) });
    ws.send({ type: 'events', items: items(12, 3) }); // 12 and 13 again, then 14
    expect(received.map((i) => i.seq)).toEqual([11, 12, 13, 14]);
    expect(socket.lastSeq()).toBe(14);
  });

  it('uses wss on https pages', () => {
    expect(liveUrlFor({ protocol: 'https:', host: 'h' })(5)).toBe('wss://h/v1/live?after=5');
  });

  it('reconnects with backoff after a drop and resumes after the last seq', () => {
    const { socket, clock, received } = setup();
    socket.start();
    const first = FakeSocket.last();
    first.send({ type: 'hello', last_seq: 0, oldest_seq: 0 });
    first.send({ type: 'events', items: items(1, 5) });

    first.drop();
    expect(socket.state()).toBe('reconnecting');
    expect(socket.attempts()).toBe(1);
    expect(FakeSocket.created).toHaveLength(1);
    clock.advance(374); // attempt 1 with random 0.5: 250 + 125 = 375 ms
    expect(FakeSocket.created).toHaveLength(1);
    clock.advance(1);
    const second = FakeSocket.last();
    expect(second.url).toBe('ws://vigil.test/v1/live?after=5');
    expect(socket.state()).toBe('reconnecting');

    second.send({ type: 'hello', last_seq: 7, oldest_seq: 1 });
    second.send({ type: 'events', items: items(6, 2) });
    expect(socket.state()).toBe('live');
    expect(socket.attempts()).toBe(0);
    expect(received.map((i) => i.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('backs off further on each failed attempt, up to the cap', () => {
    const { socket, clock } = setup({ random: () => 1 });
    socket.start();
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      FakeSocket.last().drop();
      delays.push(Math.min(...clock.pending()));
      clock.advance(delays[delays.length - 1]!);
    }
    expect(delays.slice(0, 7)).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000]);
    expect(delays.slice(7)).toEqual([30_000, 30_000, 30_000]);
    expect(socket.attempts()).toBe(10);
  });

  it('reports a gap frame and resumes after it', () => {
    const { socket, clock, received, gaps } = setup();
    socket.start();
    FakeSocket.last().send({ type: 'hello', last_seq: 3, oldest_seq: 1 });
    FakeSocket.last().drop();
    clock.advance(1000);
    const ws = FakeSocket.last();
    expect(ws.url).toContain('after=3');
    ws.send({ type: 'hello', last_seq: 20_000, oldest_seq: 10_001 });
    ws.send({ type: 'gap', from_seq: 4, to_seq: 10_000 });
    ws.send({ type: 'events', items: items(10_001, 2) });
    expect(gaps).toEqual([{ reason: 'gap', fromSeq: 4, toSeq: 10_000 }]);
    expect(received.map((i) => i.seq)).toEqual([10_001, 10_002]);
  });

  it('treats a hub whose numbering went backwards as a reset', () => {
    const { socket, clock, received, gaps } = setup();
    socket.start();
    FakeSocket.last().send({ type: 'hello', last_seq: 50, oldest_seq: 1 });
    FakeSocket.last().drop();
    clock.advance(1000);
    const ws = FakeSocket.last();
    ws.send({ type: 'hello', last_seq: 2, oldest_seq: 1 });
    expect(gaps).toEqual([{ reason: 'reset', fromSeq: 2, toSeq: 50 }]);
    ws.send({ type: 'events', items: items(3, 1) });
    expect(received.map((i) => i.seq)).toEqual([3]);
  });

  it('ignores frames it cannot parse and counts them', () => {
    const { socket, received } = setup();
    socket.start();
    const ws = FakeSocket.last();
    ws.onmessage?.({ data: 'not json' });
    ws.onmessage?.({ data: JSON.stringify({ type: 'mystery' }) });
    ws.onmessage?.({ data: new ArrayBuffer(4) });
    expect(socket.rejectedFrames()).toBe(3);
    expect(received).toEqual([]);
    expect(socket.state()).toBe('connecting');
  });

  it('drops a connection that never says hello', () => {
    const { socket, clock } = setup();
    socket.start();
    const ws = FakeSocket.last();
    clock.advance(10_000);
    expect(ws.closed?.code).toBe(4000);
    expect(socket.state()).toBe('reconnecting');
  });

  it('stops cleanly: closes, cancels the retry, stays offline', () => {
    const { socket, clock } = setup();
    socket.start();
    FakeSocket.last().drop();
    socket.stop();
    expect(socket.state()).toBe('offline');
    clock.advance(60_000);
    expect(FakeSocket.created).toHaveLength(1);

    socket.start();
    expect(FakeSocket.created).toHaveLength(2);
    FakeSocket.last().send({ type: 'hello', last_seq: 9, oldest_seq: 1 });
    socket.stop();
    expect(FakeSocket.last().closed?.code).toBe(1000);
    expect(socket.lastSeq()).toBeNull();
  });

  it('waits while the browser is offline and reconnects at once when it is back', () => {
    let online = true;
    let notify: (o: boolean) => void = () => undefined;
    const network: NetworkStatus = {
      isOnline: () => online,
      subscribe: (cb) => {
        notify = cb;
        return () => undefined;
      },
    };
    const { socket, clock } = setup({ network });
    socket.start();
    FakeSocket.last().send({ type: 'hello', last_seq: 4, oldest_seq: 1 });
    online = false;
    notify(false);
    expect(socket.state()).toBe('offline');
    clock.advance(120_000);
    expect(FakeSocket.created).toHaveLength(1);
    online = true;
    notify(true);
    expect(FakeSocket.created).toHaveLength(2);
    expect(FakeSocket.last().url).toContain('after=4');
    expect(socket.state()).toBe('reconnecting');
  });
});
