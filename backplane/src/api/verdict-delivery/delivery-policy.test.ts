import { describe, expect, it } from 'vitest';
import type { EdgeReply } from '../edge-client.js';
import { DEFAULT_VERDICT_RETRY as P, nextDelivery, retryDelayMs } from './delivery-policy.js';

const T0 = new Date('2026-05-01T09:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const tried = { transaction_id: 'tx_1', attempts: 0, retry_from: T0 };
const fail = (status: number | null, detail = 'why'): EdgeReply => ({ ok: false, status, detail });

describe('nextDelivery', () => {
  it('a 2xx applies the verdict', () => {
    expect(nextDelivery({ ok: true, status: 202, body: null }, tried, T0, P)).toEqual({
      state: 'applied',
      last_status: 202,
      detail: null,
      next_attempt_at: T0,
    });
  });

  it.each([null, 401, 403, 408, 429, 500, 502, 503])(
    'status %s is retried, never failed',
    (status) => {
      const late = { ...tried, attempts: 500, retry_from: at(-365 * 86_400_000) };
      const next = nextDelivery(fail(status), late, T0, P);
      expect(next).toMatchObject({ state: 'pending', last_status: status, detail: 'why' });
      expect(next.next_attempt_at).toEqual(at(P.maxRetryMs));
    },
  );

  it('a 404 is retried within the window, then failed with the reason', () => {
    const within = nextDelivery(fail(404), tried, at(P.notFoundWindowMs - 1), P);
    expect(within.state).toBe('pending');
    expect(within.detail).toContain('does not know transaction tx_1');
    const after = nextDelivery(fail(404), tried, at(P.notFoundWindowMs), P);
    expect(after).toMatchObject({ state: 'failed', last_status: 404 });
    expect(after.detail).toContain('does not know transaction tx_1');
  });

  it.each([400, 409, 413, 422])('a %s is failed at once with the edge detail', (status) => {
    expect(nextDelivery(fail(status, 'the edge answered HTTP x'), tried, T0, P)).toEqual({
      state: 'failed',
      last_status: status,
      detail: 'the edge answered HTTP x',
      next_attempt_at: T0,
    });
  });
});

describe('retryDelayMs', () => {
  it('doubles from the first pause up to the cap', () => {
    expect([1, 2, 3, 4].map((k) => retryDelayMs(k, P))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(retryDelayMs(1_000, P)).toBe(P.maxRetryMs);
  });
});
