import { describe, expect, it } from 'vitest';
import { MemoryOutboxStore } from './memory-outbox-store.js';
import { describeOutboxStoreContract } from './outbox-store.contract.js';
import { feedbackEvents } from './test-events.js';

describeOutboxStoreContract('memory', () => Promise.resolve(new MemoryOutboxStore(10_000)));

describe('MemoryOutboxStore', () => {
  it('refuses what is past its capacity, keeping what it holds, and takes more once settled', () => {
    const s = new MemoryOutboxStore(5);
    expect(s.append(feedbackEvents(0, 3))).toEqual({ stored: 3, refused: 0 });
    expect(s.append(feedbackEvents(3, 4))).toEqual({ stored: 2, refused: 2 });
    expect(
      s.oldest(10).map((r) => (JSON.parse(r.json) as { transaction_id: string }).transaction_id),
    ).toEqual(['tx_0', 'tx_1', 'tx_2', 'tx_3', 'tx_4']);
    s.settle(s.oldest(2));
    expect(s.append(feedbackEvents(7, 1))).toEqual({ stored: 1, refused: 0 });
    expect(s.depth()).toBe(4);
  });
});
