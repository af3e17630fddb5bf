import { describe, expect, it } from 'vitest';
import type { TransactionDetail } from '@vigil/core';
import { ApiError } from '../api/api-error.js';
import { createDrawerStore } from './drawer-store.js';

function detail(id: string): TransactionDetail {
  return { transaction_id: id } as unknown as TransactionDetail;
}

describe('drawer store', () => {
  it('shows the newest request even when an older one answers later', async () => {
    const pending = new Map<string, (d: TransactionDetail) => void>();
    const drawer = createDrawerStore({
      client: {
        getTransaction: (id, signal) =>
          new Promise((res, rej) => {
            pending.set(id, res);
            signal?.addEventListener('abort', () =>
              rej(new ApiError('aborted', 0, null, 'cancelled')),
            );
          }),
      },
    });
    const a = drawer.open('tx_a');
    const b = drawer.open('tx_b');
    pending.get('tx_a')!(detail('tx_a'));
    pending.get('tx_b')!(detail('tx_b'));
    await Promise.all([a, b]);
    expect(drawer.openId()).toBe('tx_b');
    expect(drawer.detail()?.transaction_id).toBe('tx_b');
    expect(drawer.error()).toBeNull();
    drawer.close();
    expect(drawer.openId()).toBeNull();
  });

  it('explains a 404 (not stored yet) and retries', async () => {
    let n = 0;
    const drawer = createDrawerStore({
      client: {
        getTransaction: (id) =>
          ++n === 1
            ? Promise.reject(new ApiError('http', 404, null, 'Not found'))
            : Promise.resolve(detail(id)),
      },
    });
    await drawer.open('tx_1');
    expect(drawer.error()).toMatch(/Not stored yet/);
    await drawer.retry();
    expect(drawer.error()).toBeNull();
    expect(drawer.detail()?.transaction_id).toBe('tx_1');
  });
});
