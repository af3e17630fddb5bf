import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES, VELOCITY_NAMES } from '@vigil/core';
import { complete, completionsAt, ruleNames, wordBefore } from './rule-names.js';

const names = ruleNames([{ name: 'blocked_customers', kind: 'customer_id' }]);

describe('rule names', () => {
  it('offers the transaction, every feature and velocity counter, score and the lists', () => {
    const all = names.map((n) => n.name);
    expect(all).toContain('tx.amount');
    expect(all).toContain('tx.hour');
    for (const f of FEATURE_NAMES) expect(all).toContain(`features.${f}`);
    for (const v of VELOCITY_NAMES) expect(all).toContain(`velocity.${v}`);
    expect(all).toContain('score');
    expect(all).toContain('model_decision');
    expect(all).toContain('in_list("blocked_customers", tx.customer_id)');
  });

  it('finds the dotted word before the caret', () => {
    expect(wordBefore('tx.amount > 5 && features.cu', 28)).toEqual({
      start: 17,
      word: 'features.cu',
    });
    expect(wordBefore('score > ', 8)).toEqual({ start: 8, word: '' });
  });

  it('completes what is typed, and nothing for an empty word', () => {
    const got = completionsAt(names, 'velocity.ip', 11).map((n) => n.name);
    expect(got).toEqual(['velocity.ip_tx_1h', 'velocity.ip_customers_24h']);
    expect(completionsAt(names, 'score > ', 8)).toEqual([]);
    expect(completionsAt(names, 'in_l', 4).map((n) => n.name)).toEqual([
      'in_list("blocked_customers", tx.customer_id)',
    ]);
  });

  it('puts the chosen name in place of the word and the caret after it', () => {
    expect(complete('tx.am > 5', 5, 'tx.amount')).toEqual({ text: 'tx.amount > 5', caret: 9 });
  });
});
