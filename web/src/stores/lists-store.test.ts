import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.js';
import type { ListInfo, ListItem } from '../api/rules-types.js';
import { createListsStore, type ListsStoreOptions } from './lists-store.js';

const item = (value: string): ListItem => ({
  value,
  reason: 'test',
  expires_at: null,
  added_by: 'ana',
  added_at: '2026-05-01T00:00:00.000Z',
});

/** Lists in memory with keyset pages of `pageSize` by value. */
function server(data: Record<string, string[]>) {
  let failRemove: ApiError | null = null;
  const client: ListsStoreOptions['client'] = {
    listLists: () =>
      Promise.resolve(
        Object.entries(data).map(([name, values]): ListInfo => ({
          name,
          kind: 'customer_id',
          description: '',
          size: values.length,
        })),
      ),
    listItems: (name, q = {}) => {
      const values = [...(data[name] ?? [])].sort();
      const from = q.cursor ? values.indexOf(q.cursor) + 1 : 0;
      const page = values.slice(from, from + (q.limit ?? 100));
      const more = from + page.length < values.length;
      return Promise.resolve({
        items: page.map(item),
        next_cursor: more ? page[page.length - 1]! : null,
      });
    },
    createList: (list) => {
      if (data[list.name]) {
        return Promise.reject(
          new ApiError(
            'http',
            409,
            {
              type: 'about:blank',
              title: 'Conflict',
              status: 409,
              detail: `a list ${list.name} exists`,
            },
            `a list ${list.name} exists`,
          ),
        );
      }
      data[list.name] = [];
      return Promise.resolve(null);
    },
    addListItem: (name, i) => {
      if (i.value === '') return Promise.reject(new ApiError('http', 400, null, 'value is empty'));
      if (/^\d{16}$/.test(i.value)) {
        const message = 'value looks like a card number: send a token, never a PAN';
        return Promise.reject(new ApiError('http', 400, null, `/value: ${message}`));
      }
      data[name] = [...(data[name] ?? []), i.value];
      return Promise.resolve(item(i.value));
    },
    removeListItem: (name, value) => {
      if (failRemove) return Promise.reject(failRemove);
      data[name] = (data[name] ?? []).filter((v) => v !== value);
      return Promise.resolve();
    },
  };
  return {
    client,
    failRemoveWith(e: ApiError | null) {
      failRemove = e;
    },
  };
}

describe('lists store', () => {
  it('opens the first list and pages through its items', async () => {
    const s = server({ blocked_customers: ['c1', 'c2', 'c3'], allowed_customers: ['c9'] });
    const store = createListsStore({ client: s.client, pageSize: 2 });
    await store.load();
    expect(store.selected()).toBe('blocked_customers');
    expect(store.items().map((i) => i.value)).toEqual(['c1', 'c2']);
    expect(store.hasMore()).toBe(true);
    await store.loadMore();
    expect(store.items().map((i) => i.value)).toEqual(['c1', 'c2', 'c3']);
    expect(store.hasMore()).toBe(false);
    await store.select('allowed_customers');
    expect(store.items().map((i) => i.value)).toEqual(['c9']);
  });

  it('adds an item and shows the new size', async () => {
    const s = server({ blocked_customers: [] });
    const store = createListsStore({ client: s.client });
    await store.load();
    await expect(store.add({ value: 'c_7', reason: 'chargeback' })).resolves.toBe(true);
    expect(store.items().map((i) => i.value)).toEqual(['c_7']);
    expect(store.lists()[0]!.size).toBe(1);
    await expect(store.add({ value: '' })).resolves.toBe(false);
    expect(store.changeError()).toBe('Not added: value is empty');
  });

  it('never shows a refused value back (it may be a card number)', async () => {
    const s = server({ blocked_customers: [] });
    const store = createListsStore({ client: s.client });
    await store.load();
    await expect(store.add({ value: '4111111111111111' })).resolves.toBe(false);
    expect(store.changeError()).toBe(
      'Not added: /value: value looks like a card number: send a token, never a PAN',
    );
  });

  it('removes at once and puts the item back when the server refuses', async () => {
    const s = server({ blocked_customers: ['c1', 'c2'] });
    const store = createListsStore({ client: s.client });
    await store.load();
    s.failRemoveWith(new ApiError('http', 403, null, 'Forbidden'));
    await expect(store.remove('c1')).resolves.toBe(false);
    expect(store.items().map((i) => i.value)).toEqual(['c1', 'c2']);
    expect(store.changeError()).toBe('Could not remove c1: Forbidden');
    s.failRemoveWith(null);
    const done = store.remove('c1');
    expect(store.items().map((i) => i.value)).toEqual(['c2']);
    await expect(done).resolves.toBe(true);
    expect(store.lists()[0]!.size).toBe(1);
    expect(store.changeError()).toBeNull();
  });

  it('creates a list checked by core’s schema, opens it, and says why one is refused', async () => {
    const s = server({ blocked_customers: ['c1'] });
    const store = createListsStore({ client: s.client });
    await store.load();
    const bad = await store.createList({
      name: 'Blocked Devices',
      kind: 'device',
      description: '',
    });
    expect(bad.map((i) => i.path).sort()).toEqual(['/kind', '/name']);
    expect(store.lists()).toHaveLength(1);
    await expect(
      store.createList({ name: 'blocked_devices', kind: 'device_id', description: 'ring' }),
    ).resolves.toEqual([]);
    expect(store.lists().map((l) => l.name)).toContain('blocked_devices');
    expect(store.selected()).toBe('blocked_devices');
    expect(store.items()).toEqual([]);
    await expect(
      store.createList({ name: 'blocked_devices', kind: 'device_id', description: '' }),
    ).resolves.toEqual([{ path: '', message: 'a list blocked_devices exists' }]);
  });
});
