import { describe, expect, it } from 'vitest';
import { createSignal } from 'solid-js';
import type { Case } from '@vigil/core';
import { ApiError } from '../api/api-error.js';
import { createDrawerCaseStore } from './drawer-case-store.js';
import { aCase } from '../test/fakes.js';

const base = aCase('1', { case_id: 'case_1' });

function setup(answer: (op: string, args: unknown[]) => Promise<Case | null>) {
  const [current, setCurrent] = createSignal<Case | null>(base);
  const calls: [string, unknown[]][] = [];
  let refreshed = 0;
  const store = createDrawerCaseStore({
    client: {
      resolveCase: async (...args) => {
        calls.push(['resolve', args]);
        const c = await answer('resolve', args);
        if (!c) throw new Error('resolve answers a case');
        return c;
      },
      assignCase: (...args) => {
        calls.push(['assign', args]);
        return answer('assign', args);
      },
      commentCase: (...args) => {
        calls.push(['comment', args]);
        return answer('comment', args);
      },
    },
    me: () => 'ana',
    current,
    changed: (c) => setCurrent(c),
    refresh: () => {
      refreshed++;
      return Promise.resolve();
    },
  });
  return { store, calls, current, setCurrent, refreshed: () => refreshed };
}

describe('drawer case store', () => {
  it('resolves the open case with its version and the comment, and takes the answer', async () => {
    const t = setup(() =>
      Promise.resolve({ ...base, status: 'resolved', resolution: 'fraud', version: 2 }),
    );
    expect(await t.store.resolve('fraud', '  stolen card ')).toBe(true);
    expect(t.calls).toEqual([['resolve', ['case_1', 'fraud', 1, 'stolen card']]]);
    expect(t.current()).toMatchObject({ status: 'resolved', version: 2 });
    // Decided: nothing more to do with the keys.
    expect(t.store.actionable()).toBe(false);
    expect(await t.store.resolve('false_positive')).toBe(false);
    expect(t.calls).toHaveLength(1);
  });

  it('assigns me, and reads the transaction again when the server answers without the case', async () => {
    const t = setup(() => Promise.resolve(null));
    expect(await t.store.assignToMe()).toBe(true);
    expect(t.calls).toEqual([['assign', ['case_1', 'ana', 1]]]);
    expect(t.refreshed()).toBe(1);
  });

  it('says why a stale write was refused, and reads the case again', async () => {
    const t = setup(() =>
      Promise.reject(
        new ApiError('http', 409, { type: 'x', title: 'Conflict', status: 409 }, 'stale version'),
      ),
    );
    expect(await t.store.resolve('false_positive')).toBe(false);
    expect(t.store.error()).toMatch(/^stale version — someone else changed this case/);
    expect(t.refreshed()).toBe(1);
  });

  it('does nothing without a case, or for an empty comment', async () => {
    const t = setup(() => Promise.resolve(base));
    expect(await t.store.comment('   ')).toBe(false);
    t.setCurrent(null);
    expect(await t.store.resolve('fraud')).toBe(false);
    expect(await t.store.assignToMe()).toBe(false);
    expect(t.calls).toEqual([]);
  });
});
