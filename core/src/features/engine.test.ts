import { describe, expect, it } from 'vitest';
import { F, N_FEATURES } from './feature-names.js';
import {
  applyCustomerLabel,
  applyLabel,
  computeFeatures,
  dayOf,
  MAX_GAP_S,
  step,
  stepInPlace,
  withLabel,
} from './engine.js';
import {
  CUSTOMER_STATE_BYTES,
  TERMINAL_STATE_BYTES,
  newCustomerState,
  newTerminalState,
} from './state-layout.js';

const DAY = 86_400;
const T0 = Date.parse('2018-08-08T10:00:00Z') / 1000; // a Wednesday

function features(c: Float64Array, t: Float64Array, timeSec: number, amount: number): Float32Array {
  const out = new Float32Array(N_FEATURES);
  computeFeatures(c, t, { timeSec, amount }, out);
  return out;
}

describe('feature engine', () => {
  it('computes the handbook customer windows including the current transaction', () => {
    const c = newCustomerState();
    const t = newTerminalState();
    const out = new Float32Array(N_FEATURES);
    stepInPlace(c, t, { timeSec: T0 - 20 * DAY, amount: 100 }, out);
    stepInPlace(c, t, { timeSec: T0 - 3 * DAY, amount: 50 }, out);
    stepInPlace(c, t, { timeSec: T0 - 3600, amount: 10 }, out);
    const f = features(c, t, T0, 40);
    expect(f[F.customer_nb_tx_1d]).toBe(2);
    expect(f[F.customer_nb_tx_7d]).toBe(3);
    expect(f[F.customer_nb_tx_30d]).toBe(4);
    expect(f[F.customer_avg_amount_1d]).toBeCloseTo(25);
    expect(f[F.customer_avg_amount_7d]).toBeCloseTo(100 / 3);
    expect(f[F.customer_avg_amount_30d]).toBeCloseTo(50);
    expect(f[F.amount_to_mean_30d]).toBeCloseTo(40 / (160 / 3));
    expect(f[F.amount_to_max_30d]).toBeCloseTo(0.4);
    expect(f[F.seconds_since_prev_tx]).toBe(3600);
  });

  it('flags weekend and night from the event time, not the wall clock', () => {
    const c = newCustomerState();
    const t = newTerminalState();
    const sat3am = Date.parse('2018-08-11T03:00:00Z') / 1000;
    const f = features(c, t, sat3am, 1);
    expect(f[F.tx_during_weekend]).toBe(1);
    expect(f[F.tx_during_night]).toBe(1);
    expect(f[F.hour_of_day]).toBe(3);
    const g = features(c, t, T0, 1);
    expect(g[F.tx_during_weekend]).toBe(0);
    expect(g[F.tx_during_night]).toBe(0);
  });

  it('gives a first transaction neutral history features', () => {
    const f = features(newCustomerState(), newTerminalState(), T0, 80);
    expect(f[F.amount_to_mean_30d]).toBe(1);
    expect(f[F.amount_zscore_30d]).toBe(0);
    expect(f[F.seconds_since_prev_tx]).toBe(MAX_GAP_S);
    expect(f[F.terminal_risk_30d_delay7]).toBe(0);
    expect(f[F.terminal_nb_tx_today]).toBe(1);
  });

  it('delays terminal windows by 7 days and counts fraud labels on the transaction day', () => {
    const c = newCustomerState();
    const t = newTerminalState();
    const out = new Float32Array(N_FEATURES);
    const old = T0 - 7 * DAY - 100;
    stepInPlace(c, t, { timeSec: old, amount: 1 }, out);
    stepInPlace(c, t, { timeSec: old + 1, amount: 1 }, out);
    stepInPlace(c, t, { timeSec: T0 - 6 * DAY, amount: 1 }, out); // not yet in any delayed window
    let f = features(c, t, T0, 1);
    expect(f[F.terminal_nb_tx_1d_delay7]).toBe(2);
    expect(f[F.terminal_nb_tx_7d_delay7]).toBe(2);
    expect(f[F.terminal_risk_1d_delay7]).toBe(0);
    applyLabel(t, old, 1);
    f = features(c, t, T0, 1);
    expect(f[F.terminal_risk_1d_delay7]).toBe(0.5);
    expect(f[F.terminal_risk_30d_delay7]).toBe(0.5);
    applyLabel(t, old, -1);
    expect(features(c, t, T0, 1)[F.terminal_risk_1d_delay7]).toBe(0);
  });

  it("counts a card's confirmed frauds on their own day, for 30 days, withdrawable", () => {
    const c = newCustomerState();
    const t = newTerminalState();
    const out = new Float32Array(N_FEATURES);
    stepInPlace(c, t, { timeSec: T0, amount: 500 }, out);
    stepInPlace(c, t, { timeSec: T0 + 3600, amount: 20 }, out);
    expect(out[F.customer_known_frauds_30d]).toBe(0);
    expect(out[F.customer_fraud_recency_days]).toBe(0);
    applyCustomerLabel(c, T0, 1);
    // Later the same day: one known fraud, today (recency 1).
    let f = features(c, t, T0 + 7200, 1);
    expect(f[F.customer_known_frauds_30d]).toBe(1);
    expect(f[F.customer_fraud_recency_days]).toBe(1);
    // Ten days on: still known, ten days back (recency 11); the terminal is untouched.
    f = features(c, t, T0 + 10 * DAY, 1);
    expect(f[F.customer_known_frauds_30d]).toBe(1);
    expect(f[F.customer_fraud_recency_days]).toBe(11);
    expect(f[F.terminal_fraud_age_days]).toBe(0);
    // Counts stay within the day's transactions (2), and a withdrawal takes one back.
    applyCustomerLabel(c, T0, 1);
    applyCustomerLabel(c, T0, 1);
    expect(features(c, t, T0 + DAY, 1)[F.customer_known_frauds_30d]).toBe(2);
    applyCustomerLabel(c, T0, -1);
    expect(features(c, t, T0 + DAY, 1)[F.customer_known_frauds_30d]).toBe(1);
    // Out of the 30-day window it is forgotten.
    expect(features(c, t, T0 + 30 * DAY, 1)[F.customer_known_frauds_30d]).toBe(0);
    // A label for a day the card never paid on changes nothing.
    const before = c.slice();
    applyCustomerLabel(c, T0 - 3 * DAY, 1);
    expect(c).toEqual(before);
  });

  it('keeps fraud counts within 0 … transactions', () => {
    const t = newTerminalState();
    const c = newCustomerState();
    stepInPlace(c, t, { timeSec: T0, amount: 1 }, new Float32Array(N_FEATURES));
    applyLabel(t, T0, -1);
    applyLabel(t, T0, 1);
    applyLabel(t, T0, 1);
    const f = features(c, t, T0 + 7 * DAY, 1);
    expect(f[F.terminal_risk_1d_delay7]).toBe(1);
  });

  it('step is pure and matches the in-place path', () => {
    const c = newCustomerState();
    const t = newTerminalState();
    const c0 = c.slice();
    const r = step(c, t, { timeSec: T0, amount: 12.5 });
    expect(c).toEqual(c0);
    expect(r.customer).not.toEqual(c0);
    const t2 = withLabel(r.terminal, T0, 1);
    expect(t2).not.toEqual(r.terminal);
    const out = new Float32Array(N_FEATURES);
    stepInPlace(c, t, { timeSec: T0, amount: 12.5 }, out);
    expect(out).toEqual(r.features);
    expect(c).toEqual(r.customer);
  });

  it('documents state sizes in bytes', () => {
    expect(CUSTOMER_STATE_BYTES).toBe(newCustomerState().byteLength);
    expect(TERMINAL_STATE_BYTES).toBe(newTerminalState().byteLength);
    expect(CUSTOMER_STATE_BYTES).toBe(1448);
    expect(TERMINAL_STATE_BYTES).toBe(888);
  });

  it('uses UTC days', () => {
    expect(dayOf(Date.parse('1970-01-02T00:00:00Z') / 1000)).toBe(1);
    expect(dayOf(Date.parse('1969-12-31T23:59:59Z') / 1000)).toBe(-1);
  });
});
