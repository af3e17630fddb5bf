/**
 * Test doubles shared by the web project's unit tests: a frame scheduler, a clock, a socket, a
 * fetch.
 */
import type { Case, LiveDecision, LiveItem } from '@vigil/core';
import type { SocketLike } from '../api/live-socket.js';
import type { Scheduler } from '../stores/frame-batcher.js';

/** A scheduler whose "animation frames" run when the test says so. */
export function manualFrames(): { schedule: Scheduler; frame(): void; readonly waiting: number } {
  let queue: (() => void)[] = [];
  return {
    schedule(fn) {
      queue.push(fn);
      return () => {
        queue = queue.filter((f) => f !== fn);
      };
    },
    frame() {
      const due = queue;
      queue = [];
      for (const f of due) f();
    },
    get waiting() {
      return queue.length;
    },
  };
}

/** setTimeout/clearTimeout over a virtual clock advanced by the test. */
export function fakeClock(): {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (h: unknown) => void;
  advance(ms: number): void;
  now(): number;
  pending(): number[];
} {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(h) {
      timers.delete(h as number);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let first: [number, { at: number; fn: () => void }] | null = null;
        for (const e of timers) if (e[1].at <= end && (!first || e[1].at < first[1].at)) first = e;
        if (!first) break;
        timers.delete(first[0]);
        now = first[1].at;
        first[1].fn();
      }
      now = end;
    },
    now: () => now,
    /** Delays (from now) of the timers waiting. */
    pending: () => [...timers.values()].map((t) => t.at - now),
  };
}

/** A WebSocket the test drives: it records URLs and lets the test send frames and close. */
export class FakeSocket implements SocketLike {
  static created: FakeSocket[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  closed: { code?: number | undefined; reason?: string | undefined } | null = null;

  constructor(readonly url: string) {
    FakeSocket.created.push(this);
  }

  static reset(): void {
    FakeSocket.created = [];
  }

  static last(): FakeSocket {
    const s = FakeSocket.created[FakeSocket.created.length - 1];
    if (!s) throw new Error('no socket created');
    return s;
  }

  send(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  /** The server (or the network) closes the connection. */
  drop(code = 1006): void {
    this.onclose?.({ code, reason: '' });
  }

  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
    this.onclose?.({ code: code ?? 1000, reason: reason ?? '' });
  }
}

/** A live decision event for transaction `n`. */
export function decision(n: number, over: Partial<LiveDecision> = {}): LiveDecision {
  return {
    kind: 'decision',
    event_id: `ev-${n}`,
    transaction_id: `tx_${n}`,
    timestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString(),
    customer_id: `c_${n % 7}`,
    terminal_id: `t_${n % 5}`,
    amount: 10 + n,
    currency: 'EUR',
    score: 0.01,
    decision: 'approve',
    reasons: [],
    model_version: 'm1',
    degraded: false,
    scored_at: new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString(),
    latency_ms: 0.5,
    runtime: 'node',
    ...over,
  };
}

/** Live items with consecutive seqs from `from`, one decision each. */
export function items(from: number, count: number): LiveItem[] {
  return Array.from({ length: count }, (_, i) => ({ seq: from + i, event: decision(from + i) }));
}

/** A `fetch` answering with `respond`, recording every call. */
export function fakeFetch(
  respond: (url: string, init: RequestInit) => Response | Promise<Response>,
) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    calls.push({ url, init });
    return Promise.resolve(respond(url, init));
  };
  return { fetch, calls };
}

/** A JSON response. */
export const jsonResponse = (body: unknown, status = 200, type = 'application/json'): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

/** A case as the API answers it: an open review case of `tx_<id>`, overridden by `over`. */
export function aCase(id: string, over: Partial<Case> = {}): Case {
  return {
    case_id: id,
    transaction_id: `tx_${id}`,
    status: 'open',
    assignee: null,
    resolution: null,
    opened_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
    version: 1,
    decision: 'review',
    score: 0.7,
    amount: 120,
    currency: 'EUR',
    customer_id: 'c_1',
    terminal_id: 't_1',
    comments: [],
    verdict_delivery: null,
    ...over,
  };
}
