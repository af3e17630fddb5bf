import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.js';
import type { ListItem, ListItemInput } from '../api/rules-types.js';
import { ALLOW_OVER_BLOCK, createListActionsStore } from './list-actions-store.js';

const tx = { transaction_id: 'tx_1', customer_id: 'c_1', terminal_id: 't_1' };
const now = () => new Date('2026-05-01T10:00:00.000Z');

function setup(onLists: Record<string, ListItem[]>) {
  const added: { list: string; item: ListItemInput }[] = [];
  const removed: string[] = [];
  let refuse: ApiError | null = null;
  const store = createListActionsStore({
    now,
    client: {
      // Like an API that ignores the value filter: answers the list's first page.
      listItems: (name) => Promise.resolve({ items: onLists[name] ?? [], next_cursor: null }),
      addListItem: (list, item) => {
        added.push({ list, item });
        if (refuse) return Promise.reject(refuse);
        return Promise.resolve(null);
      },
      removeListItem: (list, value) => {
        removed.push(`${list} ${value}`);
        if (refuse) return Promise.reject(refuse);
        return Promise.resolve();
      },
    },
  });
  return {
    store,
    added,
    removed,
    refuseWith(e: ApiError) {
      refuse = e;
    },
  };
}

const on = (value: string, expires_at: string | null): ListItem => ({
  value,
  reason: null,
  expires_at,
  added_by: 'ana',
  added_at: '2026-04-01T00:00:00.000Z',
});

describe('the drawer’s list actions', () => {
  it('says which lists the card and terminal are on, by exact value', async () => {
    const { store } = setup({
      blocked_customers: [on('c_10', null)],
      blocked_terminals: [on('t_1', '2026-06-01T00:00:00.000Z')],
    });
    await store.lookup(tx);
    expect(store.state('block_card')).toMatchObject({ onList: false });
    expect(store.state('block_terminal')).toMatchObject({
      onList: true,
      until: '2026-06-01T00:00:00.000Z',
    });
    expect(store.state('allow_card')).toMatchObject({ onList: false });
  });

  it('blocks the card with the chosen expiry and a reason naming the transaction', async () => {
    const { store, added } = setup({});
    await store.lookup(tx);
    await expect(store.run('block_card', '7d', '')).resolves.toBe(true);
    expect(added).toEqual([
      {
        list: 'blocked_customers',
        item: {
          value: 'c_1',
          reason: 'Block this card from transaction tx_1',
          expires_at: '2026-05-08T10:00:00.000Z',
        },
      },
    ]);
    expect(store.state('block_card')).toMatchObject({
      onList: true,
      busy: false,
      result: { ok: true, message: 'c_1 is on blocked_customers until 2026-05-08.' },
    });
  });

  it('allows the card for good (no expiry) and shows a refusal’s detail', async () => {
    const { store, added, refuseWith } = setup({});
    await store.lookup(tx);
    await store.run('allow_card', 'never', '');
    expect(added[0]!.item).toEqual({
      value: 'c_1',
      reason: 'Allow this card from transaction tx_1',
    });
    refuseWith(new ApiError('http', 404, null, 'No list blocked_terminals'));
    await expect(store.run('block_terminal', '30d', '')).resolves.toBe(false);
    expect(store.state('block_terminal').result).toEqual({
      ok: false,
      message: 'No list blocked_terminals',
    });
  });

  it('refuses a past date before asking the server', async () => {
    const { store, added } = setup({});
    await store.lookup(tx);
    await expect(store.run('block_card', 'date', '2026-01-01')).resolves.toBe(false);
    expect(added).toEqual([]);
    expect(store.state('block_card').result?.message).toBe('The date must be in the future.');
  });

  it('takes a blocked card off its list (Unblock), and a 404 means it is off already', async () => {
    const { store, removed, refuseWith } = setup({ blocked_customers: [on('c_1', null)] });
    await store.lookup(tx);
    expect(store.state('block_card').onList).toBe(true);
    await expect(store.undo('block_card')).resolves.toBe(true);
    expect(removed).toEqual(['blocked_customers c_1']);
    expect(store.state('block_card')).toMatchObject({
      onList: false,
      until: null,
      busy: false,
      result: { ok: true, message: 'c_1 is off blocked_customers.' },
    });
    refuseWith(new ApiError('http', 404, null, 'not on the list'));
    await expect(store.undo('block_terminal')).resolves.toBe(true);
    expect(store.state('block_terminal').result?.message).toBe(
      't_1 was not on blocked_terminals any more.',
    );
    refuseWith(new ApiError('http', 503, null, 'database unavailable'));
    await expect(store.undo('allow_card')).resolves.toBe(false);
    expect(store.state('allow_card').result).toEqual({
      ok: false,
      message: 'database unavailable',
    });
  });

  it('asks before allowing a card that is blocked (an allow outranks the block)', async () => {
    const { store } = setup({ blocked_customers: [on('c_1', null)] });
    await store.lookup(tx);
    expect(store.warning('allow_card')).toBe(ALLOW_OVER_BLOCK);
    expect(ALLOW_OVER_BLOCK).toMatch(/outranks the block/);
    expect(ALLOW_OVER_BLOCK).toMatch(/confirmed fraud takes it off allowed_customers/);
    expect(store.warning('block_terminal')).toBeNull();
    await store.undo('block_card');
    expect(store.warning('allow_card')).toBeNull();
  });
});
