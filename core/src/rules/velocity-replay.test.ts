import { describe, expect, it } from 'vitest';
import { VELOCITY_NAMES } from './velocity-names.js';
import { VelocityReplay } from './velocity-replay.js';

const at = (name: (typeof VELOCITY_NAMES)[number]) => VELOCITY_NAMES.indexOf(name);
const H = 3_600;

describe('VelocityReplay', () => {
  it('counts the cards of a device within 24 h, itself included', () => {
    const r = new VelocityReplay(['device']);
    const t = 1_900_000_000;
    r.next({ customerId: 'a', timeSec: t, deviceId: 'd' });
    r.next({ customerId: 'b', timeSec: t + H, deviceId: 'd' });
    const third = r.next({ customerId: 'c', timeSec: t + 2 * H, deviceId: 'd' });
    expect(third[at('device_customers_24h')]).toBe(3);
    expect(third[at('device_tx_1h')]).toBe(1); // the one an hour before is out (strictly later)
    const later = r.next({ customerId: 'a', timeSec: t + 25 * H, deviceId: 'd' });
    expect(later[at('device_customers_24h')]).toBe(2); // b is 24 h old: out; c and a
    // The states it was not asked to keep are not kept: no IP counter.
    expect(r.next({ customerId: 'a', timeSec: t + 26 * H, ip: '10.0.0.1' })[at('ip_tx_1h')]).toBe(
      0,
    );
  });

  it('drops idle states as it goes, without changing a count', () => {
    const r = new VelocityReplay(['device', 'customer']);
    const t = 1_900_000_000;
    for (let i = 0; i < 60_000; i++) {
      r.next({ customerId: `c${i}`, timeSec: t + i * 60, deviceId: `d${i}`, country: 'DE' });
    }
    // 60,000 minutes ≈ 41.7 days: the first sweep (at 50,000) dropped the devices idle > 24 h and
    // the cards idle > 30 days.
    expect(r.size).toBeLessThan(2 * 60_000);
    const again = r.next({ customerId: 'c59999', timeSec: t + 60_000 * 60, deviceId: 'd59999' });
    expect(again[at('device_customers_24h')]).toBe(1);
    expect(again[at('customer_devices_30d')]).toBe(1);
  });
});
