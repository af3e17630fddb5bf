import { describe, expect, it } from 'vitest';
import { VELOCITY_NAMES } from '../rules/velocity-names.js';
import { applyOps } from './state-ops.js';
import {
  CUSTOMER_VELOCITY_LENGTH,
  customerVelocityOps,
  deviceVelocityOps,
  ENTITY_VELOCITY_BYTES,
  ENTITY_VELOCITY_LENGTH,
  hash52,
  ipVelocityOps,
  newVelocity,
  VELOCITY_SET_SLOTS,
  VELOCITY_TX_SLOTS,
  type VelocityEvent,
} from './velocity-state.js';

const T0 = Date.UTC(2024, 4, 1) / 1000;
const v = (out: Float64Array) => Object.fromEntries(VELOCITY_NAMES.map((n, i) => [n, out[i]]));

/** Folds a stream through the programs, one state per key, as a store does. */
function run(txs: readonly VelocityEvent[]): Float64Array[] {
  const states = new Map<string, Float64Array>();
  const state = (key: string, length: number) => {
    let s = states.get(key);
    if (!s) states.set(key, (s = new Float64Array(length)));
    return s;
  };
  return txs.map((tx) => {
    const out = newVelocity();
    const d = deviceVelocityOps(tx);
    if (d) applyOps(state(`d:${tx.deviceId}`, ENTITY_VELOCITY_LENGTH), d, out);
    const ip = ipVelocityOps(tx);
    if (ip) applyOps(state(`ip:${tx.ip}`, ENTITY_VELOCITY_LENGTH), ip, out);
    const c = customerVelocityOps(tx);
    if (c) applyOps(state(`cv:${tx.customerId}`, CUSTOMER_VELOCITY_LENGTH), c, out);
    return out;
  });
}

describe('velocity state', () => {
  it('hashes to distinct float64-exact integers below 2^52', () => {
    const hs = ['', 'a', 'b', 'ab', 'ba', 'FR', 'DE', 'dev_1', 'dev_2', 'ü✓'].map(hash52);
    expect(new Set(hs).size).toBe(hs.length);
    for (const h of hs) {
      expect(Number.isInteger(h)).toBe(true);
      expect(h).toBeLessThan(2 ** 52);
      expect(h).toBeGreaterThanOrEqual(0);
    }
    expect(hash52('dev_1')).toBe(hash52('dev_1'));
  });

  it('sizes a device, IP or customer velocity state at 520 bytes', () => {
    expect(ENTITY_VELOCITY_BYTES).toBe(520);
    expect(CUSTOMER_VELOCITY_LENGTH * 8).toBe(520);
  });

  it('counts the scored transaction and the earlier ones in the window, 0 for absent fields', () => {
    const out = run([
      { customerId: 'c1', timeSec: T0, deviceId: 'd', ip: '1.2.3.4', country: 'FR' },
      { customerId: 'c2', timeSec: T0 + 1_800, deviceId: 'd', country: 'DE' },
      { customerId: 'c1', timeSec: T0 + 3_700, deviceId: 'd', ip: '1.2.3.4', country: 'DE' },
      { customerId: 'c1', timeSec: T0 + 3_800 },
    ]);
    expect(v(out[0]!)).toEqual({
      device_tx_1h: 1,
      device_customers_24h: 1,
      ip_tx_1h: 1,
      ip_customers_24h: 1,
      customer_countries_30d: 1,
      customer_devices_30d: 1,
    });
    expect(v(out[1]!)).toMatchObject({ device_tx_1h: 2, device_customers_24h: 2, ip_tx_1h: 0 });
    // 3,700 s after the first: it left the hour, not the day.
    expect(v(out[2]!)).toEqual({
      device_tx_1h: 2,
      device_customers_24h: 2,
      ip_tx_1h: 1,
      ip_customers_24h: 1,
      customer_countries_30d: 2,
      customer_devices_30d: 1,
    });
    expect(v(out[3]!)).toEqual(Object.fromEntries(VELOCITY_NAMES.map((n) => [n, 0])));
  });

  it('saturates at the slots it keeps, and forgets nothing recent when full', () => {
    const burst = Array.from({ length: VELOCITY_TX_SLOTS + 10 }, (_, i) => ({
      customerId: `c${i}`,
      timeSec: T0 + i,
      deviceId: 'd',
      country: `K${i}`,
    }));
    const out = run(burst);
    expect(out.at(-1)![0]).toBe(VELOCITY_TX_SLOTS);
    expect(out.at(-1)![1]).toBe(VELOCITY_SET_SLOTS);
    expect(out[VELOCITY_TX_SLOTS - 1]![0]).toBe(VELOCITY_TX_SLOTS);
    expect(out[VELOCITY_SET_SLOTS - 1]![1]).toBe(VELOCITY_SET_SLOTS);
    // An hour later the full sets have aged out: one transaction counts one.
    const later = run([...burst, { customerId: 'x', timeSec: T0 + 90_000, deviceId: 'd' }]);
    expect(later.at(-1)![0]).toBe(1);
    expect(later.at(-1)![1]).toBe(1);
  });

  it('counts an epoch-time transaction and never an empty slot', () => {
    const out = run([{ customerId: 'c', timeSec: 0, deviceId: 'd', ip: 'i', country: 'FR' }]);
    expect(Array.from(out[0]!)).toEqual([1, 1, 1, 1, 1, 1]);
  });
});
