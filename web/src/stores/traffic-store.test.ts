import { describe, expect, it } from 'vitest';
import { MAX_TRAFFIC_RATE, type ScoreAnswer, type TrafficState } from '@vigil/core';
import { ApiError } from '../api/api-error.js';
import { clampRate, createTrafficStore, SCENARIOS } from './traffic-store.js';

function setup() {
  const posted: unknown[] = [];
  let server: TrafficState = { running: false, rate: 50, sent: 0, errors: 0 };
  const answer: ScoreAnswer = {
    transaction_id: 'sim_1',
    score: 0.93,
    decision: 'decline',
    reasons: [
      {
        code: 'AMOUNT_HIGH',
        feature: 'amount',
        contribution: 1.2,
        message: 'The amount is high for a card payment.',
      },
    ],
    rules: [],
    model_version: 'm',
    degraded: false,
    replayed: false,
  };
  const store = createTrafficStore({
    client: {
      getTraffic: () => Promise.resolve(server),
      setTraffic: (running, rate) => {
        posted.push({ running, rate });
        server = { ...server, running, rate };
        return Promise.resolve(null); // an answer without the state: the store asks for it
      },
      injectScenario: (s) =>
        s === 3
          ? Promise.reject(new ApiError('http', 503, null, 'no edge'))
          : Promise.resolve(
              s === 1
                ? { scenario: 1, description: '6 payments above 220 EUR', frauds: 6, flagged: 5 }
                : null,
            ),
      sendOne: () => Promise.resolve(answer),
    },
    setTimeout: () => 0,
    clearTimeout: () => undefined,
  });
  return { store, posted, answer };
}

describe('traffic store', () => {
  it('clamps rates to 1–5000 whole transactions per second', () => {
    expect(clampRate(0)).toBe(1);
    expect(clampRate(99.6)).toBe(100);
    expect(clampRate(1e9)).toBe(MAX_TRAFFIC_RATE);
    expect(clampRate(Number.NaN)).toBeNull();
  });

  it('describes the three handbook scenarios', () => {
    expect(SCENARIOS.map((s) => s.id)).toEqual([1, 2, 3]);
    for (const s of SCENARIOS) expect(s.description.length).toBeGreaterThan(20);
  });

  it('starts at the chosen rate and stops', async () => {
    const t = setup();
    t.store.setRate(2000);
    await t.store.start();
    expect(t.posted).toEqual([{ running: true, rate: 2000 }]);
    expect(t.store.state()).toMatchObject({ running: true, rate: 2000 });
    expect(t.store.notice()).toBe('Traffic running at 2000/s.');
    await t.store.stop();
    expect(t.store.state()?.running).toBe(false);
  });

  it('shows a failed injection and the answer to one transaction', async () => {
    const t = setup();
    await t.store.inject(2);
    expect(t.store.notice()).toBe('Scenario 2 injected.');
    await t.store.inject(1);
    expect(t.store.notice()).toBe(
      'Scenario 1 injected: 6 payments above 220 EUR — 6 fraudulent, 5 flagged by the edge.',
    );
    await t.store.inject(3);
    expect(t.store.error()).toBe('no edge');
    expect(t.store.busy()).toBe(false);
    await t.store.sendOne('fraud');
    expect(t.store.answer()).toEqual({ kind: 'fraud', answer: t.answer });
    expect(t.store.error()).toBeNull();
  });
});
