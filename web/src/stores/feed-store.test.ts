import { describe, expect, it } from 'vitest';
import type { LiveItem, Page, TransactionSummary } from '@vigil/core';
import type { LiveGap } from '../api/live-socket.js';
import { createFeedStore, type LiveSource } from './feed-store.js';
import { decision, items, manualFrames } from '../test/fakes.js';

function summary(n: number, over: Partial<TransactionSummary> = {}): TransactionSummary {
  const d = decision(n);
  return {
    transaction_id: d.transaction_id,
    timestamp: d.timestamp,
    customer_id: d.customer_id,
    terminal_id: d.terminal_id,
    amount: d.amount,
    currency: 'EUR',
    score: d.score,
    decision: d.decision,
    degraded: false,
    scored_at: d.scored_at,
    label: null,
    case_id: null,
    case_status: null,
    reasons: [],
    ...over,
  };
}

function setup(
  capacity = 5000,
  page: () => Promise<Page<TransactionSummary>> = () =>
    Promise.resolve({ items: [], next_cursor: null }),
) {
  const frames = manualFrames();
  let calls = 0;
  const feed = createFeedStore({
    client: {
      listTransactions: () => {
        calls++;
        return page();
      },
    },
    schedule: frames.schedule,
    capacity,
    now: () => 0,
    setInterval: () => 0,
    clearInterval: () => undefined,
  });
  return { feed, frames, calls: () => calls };
}

const ids = (rows: readonly { transaction_id: string }[]): string[] =>
  rows.map((r) => r.transaction_id);

describe('feed store', () => {
  it('applies queued items on the next frame only, newest first', () => {
    const { feed, frames } = setup();
    feed.ingest(items(1, 3));
    feed.ingest(items(4, 2));
    expect(feed.rows()).toEqual([]);
    frames.frame();
    expect(ids(feed.rows())).toEqual(['tx_5', 'tx_4', 'tx_3', 'tx_2', 'tx_1']);
    expect(feed.counters()).toMatchObject({ flushes: 1, events: 5 });
  });

  it('re-renders once per frame at 2,000 decisions/s (33 per frame)', () => {
    const { feed, frames } = setup();
    let seq = 1;
    for (let f = 0; f < 60; f++) {
      // ~33 events a frame, arriving as several socket frames
      for (let k = 0; k < 3; k++) {
        feed.ingest(items(seq, 11));
        seq += 11;
      }
      frames.frame();
    }
    expect(feed.counters()).toMatchObject({ flushes: 60, events: 1980 });
    expect(feed.size()).toBe(1980);
  });

  it('holds at most `capacity` rows and forgets the evicted ones', () => {
    const { feed, frames } = setup(100);
    feed.ingest(items(1, 250));
    frames.frame();
    expect(feed.size()).toBe(100);
    expect(feed.rows()[0]?.transaction_id).toBe('tx_250');
    expect(feed.rows()[99]?.transaction_id).toBe('tx_151');
    // feedback for an evicted transaction changes nothing
    feed.ingest([
      {
        seq: 251,
        event: {
          kind: 'feedback',
          event_id: 'f',
          transaction_id: 'tx_1',
          label: 'fraud',
          timestamp: '2024-01-01T00:00:00Z',
          source: 'api',
        },
      },
    ]);
    frames.frame();
    expect(feed.rows().some((r) => r.label !== null)).toBe(false);
  });

  it('labels a held row on feedback and links its case', () => {
    const { feed, frames } = setup();
    feed.ingest(items(1, 3));
    feed.ingest([
      {
        seq: 4,
        event: {
          kind: 'feedback',
          event_id: 'f1',
          transaction_id: 'tx_2',
          label: 'fraud',
          timestamp: '2024-01-01T00:00:00Z',
          source: 'analyst',
        },
      },
      {
        seq: 5,
        event: {
          kind: 'case',
          event_id: 'c1',
          case_id: 'case_9',
          transaction_id: 'tx_3',
          status: 'assigned',
          assignee: 'ana',
          resolution: null,
          updated_at: '2024-01-01T00:00:00Z',
          version: 2,
        },
      },
    ]);
    frames.frame();
    const byId = new Map(feed.rows().map((r) => [r.transaction_id, r]));
    expect(byId.get('tx_2')?.label).toBe('fraud');
    expect(byId.get('tx_3')?.case_id).toBe('case_9');
    expect(feed.size()).toBe(3);
  });

  it('does not duplicate a decision delivered twice', () => {
    const { feed, frames } = setup();
    feed.ingest(items(1, 2));
    feed.ingest([{ seq: 9, event: decision(1, { score: 0.9 }) }]);
    frames.frame();
    expect(feed.size()).toBe(2);
    expect(feed.rows().find((r) => r.transaction_id === 'tx_1')?.score).toBe(0.9);
  });

  it('filters to flagged decisions or declines', () => {
    const { feed, frames } = setup();
    feed.ingest([
      { seq: 1, event: decision(1) },
      { seq: 2, event: decision(2, { decision: 'review', score: 0.6 }) },
      { seq: 3, event: decision(3, { decision: 'decline', score: 0.9 }) },
    ]);
    frames.frame();
    void feed.setFilter('flagged');
    expect(ids(feed.rows())).toEqual(['tx_3', 'tx_2']);
    void feed.setFilter('decline');
    expect(ids(feed.rows())).toEqual(['tx_3']);
    void feed.setFilter('all');
    expect(feed.rows()).toHaveLength(3);
  });

  it('freezes the view while held and counts what arrived meanwhile', () => {
    const { feed, frames } = setup();
    feed.ingest(items(1, 2));
    frames.frame();
    feed.hold('pointer', true);
    feed.ingest(items(3, 5));
    frames.frame();
    expect(ids(feed.rows())).toEqual(['tx_2', 'tx_1']);
    expect(feed.newWhilePaused()).toBe(5);
    feed.hold('user', true);
    feed.hold('pointer', false);
    expect(feed.paused()).toBe(true); // still held by the user
    feed.hold('user', false);
    expect(feed.paused()).toBe(false);
    expect(feed.rows()).toHaveLength(7);
    expect(feed.newWhilePaused()).toBe(0);
  });

  it('reloads from the API on a gap, keeping live rows the page lacks', async () => {
    let gapCb: ((g: LiveGap) => void) | null = null;
    let itemsCb: ((i: readonly LiveItem[]) => void) | null = null;
    const source: LiveSource = {
      onItems: (cb) => {
        itemsCb = cb;
        return () => undefined;
      },
      onGap: (cb) => {
        gapCb = cb;
        return () => undefined;
      },
    };
    const { feed, frames, calls } = setup(5000, () =>
      Promise.resolve({
        items: [summary(8, { label: 'fraud' }), summary(5), summary(4)],
        next_cursor: null,
      }),
    );
    feed.attach(source);
    itemsCb!(items(9, 2)); // tx_9, tx_10 arrive live, newer than the page
    itemsCb!([
      {
        seq: 3,
        event: decision(8, {
          reasons: [{ code: 'NIGHT_TIME', feature: 'tx_during_night', contribution: 0.2 }],
        }),
      },
    ]);
    gapCb!({ reason: 'gap', fromSeq: 1, toSeq: 2 });
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls()).toBe(1);
    expect(ids(feed.rows())).toEqual(['tx_10', 'tx_9', 'tx_8', 'tx_5', 'tx_4']);
    const tx8 = feed.rows()[2]!;
    expect(tx8.label).toBe('fraud'); // from the API
    expect(tx8.reasons).toHaveLength(1); // from the live event
    expect(frames.waiting).toBe(0);
  });

  it('says why a reload failed and keeps the rows it has', async () => {
    const { feed, frames } = setup(5000, () => Promise.reject(new Error('boom')));
    feed.ingest(items(1, 2));
    frames.frame();
    await feed.reload();
    expect(feed.error()).toContain('boom');
    expect(feed.rows()).toHaveLength(2);
  });

  it('coalesces reloads asked for while one runs', async () => {
    let release: () => void = () => undefined;
    const { feed, calls } = setup(
      5000,
      () =>
        new Promise((resolve) => {
          release = () => resolve({ items: [], next_cursor: null });
        }),
    );
    const a = feed.reload();
    const b = feed.reload();
    const c = feed.reload();
    release();
    await new Promise((r) => setTimeout(r, 0));
    release();
    await Promise.all([a, b, c]);
    expect(calls()).toBe(2); // the running one, then one more for the two asked meanwhile
  });

  it('forgets everything on reset', () => {
    const { feed, frames } = setup();
    feed.ingest(items(1, 2));
    frames.frame();
    feed.ingest(items(3, 1));
    feed.reset();
    frames.frame();
    expect(feed.size()).toBe(0);
    expect(feed.rows()).toEqual([]);
  });
});

describe('feed store: a filter reaches past the ring', () => {
  it('asks the API for the filter when the ring holds few such rows, and shows the older ones below', async () => {
    const asked: unknown[] = [];
    const frames = manualFrames();
    const feed = createFeedStore({
      client: {
        listTransactions: (q) => {
          asked.push(q);
          // The API has the ring's decline (tx_9) and two older ones.
          return Promise.resolve({
            items: [9, 2, 1].map((n) => summary(n, { decision: 'decline' })),
            next_cursor: null,
          });
        },
      },
      schedule: frames.schedule,
      capacity: 5,
      now: () => 0,
      setInterval: () => 0,
      clearInterval: () => undefined,
    });
    // The ring holds tx_6..tx_10, one of them a decline.
    feed.ingest(
      Array.from({ length: 10 }, (_, i) => ({
        seq: i + 1,
        event: decision(i + 1, i + 1 === 9 ? { decision: 'decline' } : {}),
      })),
    );
    frames.frame();
    expect(feed.size()).toBe(5);

    await feed.setFilter('decline');
    expect(asked).toEqual([{ decision: ['decline'], limit: 500 }]);
    expect(ids(feed.rows())).toEqual(['tx_9', 'tx_2', 'tx_1']);

    // "All" shows the ring alone again, and asks nothing.
    await feed.setFilter('all');
    expect(ids(feed.rows())).toEqual(['tx_10', 'tx_9', 'tx_8', 'tx_7', 'tx_6']);
    expect(asked).toHaveLength(1);
  });

  it('asks nothing when the ring alone fills the filtered view', async () => {
    const { feed, frames, calls } = setup(500);
    feed.ingest(
      Array.from({ length: 150 }, (_, i) => ({
        seq: i + 1,
        event: decision(i + 1, { decision: 'review' }),
      })),
    );
    frames.frame();
    await feed.setFilter('flagged');
    expect(feed.rows()).toHaveLength(150);
    expect(calls()).toBe(0);
  });
});
