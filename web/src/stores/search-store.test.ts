import { describe, expect, it } from 'vitest';
import type { Page, SearchResult, TransactionSummary } from '@vigil/core';
import type { TransactionQuery } from '../api/types.js';
import { createSearchStore, optionsOf } from './search-store.js';
import { fakeClock } from '../test/fakes.js';

function tx(id: string, ts: string, over: Partial<TransactionSummary> = {}): TransactionSummary {
  return {
    transaction_id: id,
    timestamp: ts,
    customer_id: 'c_1',
    terminal_id: 't_1',
    amount: 10,
    currency: 'EUR',
    score: 0.1,
    decision: 'approve',
    degraded: false,
    scored_at: ts,
    label: null,
    case_id: null,
    case_status: null,
    reasons: [],
    ...over,
  };
}

const result = (q: string, over: Partial<SearchResult> = {}): SearchResult => ({
  q,
  transactions: [],
  customers: [],
  terminals: [],
  ...over,
});

function setup(answer: (q: string) => SearchResult) {
  const clock = fakeClock();
  const asked: string[] = [];
  const listed: TransactionQuery[] = [];
  const store = createSearchStore({
    client: {
      search: (q) => {
        asked.push(q);
        return Promise.resolve(answer(q));
      },
      listTransactions: (q = {}): Promise<Page<TransactionSummary>> => {
        listed.push(q);
        return Promise.resolve({
          items: [tx('tx_old', '2024-01-01T00:00:00Z'), tx('tx_new', '2024-01-03T00:00:00Z')],
          next_cursor: null,
        });
      },
    },
    debounceMs: 150,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
  });
  return { store, clock, asked, listed };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('search store', () => {
  it('asks once typing pauses, and offers the matches, an exact transaction id first', async () => {
    const t = setup((q) =>
      result(q, {
        transactions: [tx('tx_12a', ''), tx('tx_12', '')],
        customers: [{ customer_id: 'tx_12c', count: 3, last_at: '' }],
      }),
    );
    t.store.setQuery('tx_1');
    t.clock.advance(100);
    t.store.setQuery('tx_12');
    t.clock.advance(149);
    expect(t.asked).toEqual([]);
    t.clock.advance(1);
    await settle();
    expect(t.asked).toEqual(['tx_12']);
    expect(t.store.options().map((o) => `${o.kind}:${o.id}`)).toEqual([
      'transaction:tx_12',
      'transaction:tx_12a',
      'card:tx_12c',
    ]);
  });

  it('moves the highlight with the arrows (wrapping) and Enter takes it', async () => {
    const t = setup((q) =>
      result(q, {
        customers: [{ customer_id: 'c_10', count: 3, last_at: '' }],
        terminals: [{ terminal_id: 'c_1x', count: 1, last_at: '' }],
      }),
    );
    t.store.setQuery('c_1');
    t.clock.advance(150);
    await settle();
    t.store.move(-1);
    expect(t.store.active()).toBe(1);
    t.store.move(1);
    expect(t.store.active()).toBe(0);
    const chosen = await t.store.submit();
    expect(chosen).toMatchObject({ kind: 'card', id: 'c_10' });
    // A card shows its transactions, newest first.
    await settle();
    expect(t.listed).toEqual([{ customer_id: 'c_10', limit: 100 }]);
    expect(t.store.entity()).toEqual({ kind: 'card', id: 'c_10' });
    expect(t.store.entityRows().map((r) => r.transaction_id)).toEqual(['tx_new', 'tx_old']);
    expect(t.store.options()).toEqual([]);
  });

  it('Enter before the pause asks at once and takes the exact id', async () => {
    const t = setup((q) => result(q, { transactions: [tx('tx_99x', ''), tx('tx_99', '')] }));
    t.store.setQuery('tx_99');
    const chosen = await t.store.submit();
    expect(chosen).toMatchObject({ kind: 'transaction', id: 'tx_99' });
    expect(t.asked).toEqual(['tx_99']);
    t.clock.advance(1000); // the cancelled pause asks nothing more
    expect(t.asked).toEqual(['tx_99']);
    expect(t.store.entity()).toBeNull();
  });

  it('answers null when nothing matches, and clears', async () => {
    const t = setup((q) => result(q));
    t.store.setQuery('zzz');
    expect(await t.store.submit()).toBeNull();
    t.store.clear();
    expect(t.store.query()).toBe('');
  });

  it('lists matches by kind', () => {
    expect(
      optionsOf(result('t_', { terminals: [{ terminal_id: 't_1', count: 2, last_at: '' }] })),
    ).toEqual([{ kind: 'terminal', id: 't_1', count: 2 }]);
  });
});
