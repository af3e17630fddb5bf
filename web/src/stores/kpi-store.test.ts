import { describe, expect, it } from 'vitest';
import type { Stats, StatsWindow } from '@vigil/core';
import { createKpiStore, decisionMix } from './kpi-store.js';
import { createPoller } from './poller.js';
import { fakeClock } from '../test/fakes.js';

function stats(window: StatsWindow, transactions: number): Stats {
  return {
    window,
    from: '',
    to: '',
    transactions,
    tps: transactions / 300,
    decisions: { approve: transactions - 2, review: 1, decline: 1 },
    fraud_rate: 0,
    labelled_fraud_rate: 0,
    money: [],
    false_positive_share: null,
    open_case_median_age_s: null,
    score_histogram: [],
    latency_ms: { p50: 0.5, p99: 3 },
    consumer_lag: 0,
    open_cases: 2,
    series: [],
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('poller', () => {
  it('polls every interval, one call at a time, and stops', async () => {
    const clock = fakeClock();
    let calls = 0;
    const p = createPoller({
      intervalMs: 2000,
      tick: () => {
        calls++;
        return Promise.resolve();
      },
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
    });
    p.start();
    await settle();
    expect(calls).toBe(1);
    clock.advance(1999);
    await settle();
    expect(calls).toBe(1);
    clock.advance(1);
    await settle();
    expect(calls).toBe(2);
    p.stop();
    clock.advance(10_000);
    await settle();
    expect(calls).toBe(2);
  });

  it('keeps polling after a failed call', async () => {
    const clock = fakeClock();
    let calls = 0;
    const p = createPoller({
      intervalMs: 100,
      tick: () => (++calls === 1 ? Promise.reject(new Error('x')) : Promise.resolve()),
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
    });
    p.start();
    await settle();
    clock.advance(100);
    await settle();
    expect(calls).toBe(2);
    p.stop();
  });
});

describe('kpi store', () => {
  it('computes the decision mix, zero-safe', () => {
    expect(decisionMix(stats('5m', 10))).toEqual({ approve: 0.8, review: 0.1, decline: 0.1 });
    const none = { ...stats('5m', 0), decisions: { approve: 0, review: 0, decline: 0 } };
    expect(decisionMix(none)).toBeNull();
  });

  it('polls the chosen window and drops an answer for a window no longer chosen', async () => {
    const clock = fakeClock();
    const asked: StatsWindow[] = [];
    let release: (() => void)[] = [];
    const kpi = createKpiStore({
      client: {
        getStats: (w) => {
          asked.push(w);
          return new Promise((res) => release.push(() => res(stats(w, w === '5m' ? 10 : 99))));
        },
      },
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
    });
    kpi.start();
    kpi.setWindow('1h'); // while the 5m request is in flight
    for (const r of release) r();
    release = [];
    await settle();
    expect(kpi.stats()).toBeNull(); // the 5m answer was not taken for 1h
    for (const r of release) r();
    await settle();
    expect(asked).toEqual(['5m', '1h']);
    expect(kpi.stats()?.window).toBe('1h');
    kpi.stop();
  });

  it('keeps the last stats and says so when a poll fails', async () => {
    let fail = false;
    const kpi = createKpiStore({
      client: {
        getStats: (w) => (fail ? Promise.reject(new Error('down')) : Promise.resolve(stats(w, 10))),
      },
      setTimeout: () => 0,
      clearTimeout: () => undefined,
    });
    await kpi.refresh();
    fail = true;
    await kpi.refresh();
    expect(kpi.stats()?.transactions).toBe(10);
    expect(kpi.error()).toMatch(/down/);
  });
});
