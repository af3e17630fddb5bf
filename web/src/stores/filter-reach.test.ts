import { describe, expect, it } from 'vitest';
import { filterDecisions, withOlderRows } from './filter-reach.js';
import { rowFromLive } from './feed-row.js';
import { decision } from '../test/fakes.js';

const row = (n: number) => rowFromLive(decision(n, { decision: 'decline' }));

describe('filter reach', () => {
  it('maps each filter to the decisions it asks the API for', () => {
    expect(filterDecisions('all')).toBeNull();
    expect(filterDecisions('flagged')).toEqual(['review', 'decline']);
    expect(filterDecisions('decline')).toEqual(['decline']);
  });

  it('appends only older rows the ring does not hold', () => {
    const ring = [row(9), row(5)];
    const older = [row(9), row(7), row(4), row(2)];
    const held = (id: string) => id === 'tx_9' || id === 'tx_5';
    // tx_7 is newer than the ring's oldest shown row (the ring dropped it as another kind's): left out.
    expect(withOlderRows(ring, older, held).map((r) => r.transaction_id)).toEqual([
      'tx_9',
      'tx_5',
      'tx_4',
      'tx_2',
    ]);
    expect(withOlderRows([], older, () => false)).toHaveLength(4);
  });
});
