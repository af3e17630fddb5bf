import { describe, expect, it } from 'vitest';
import { checkExpression, FEATURE_NAMES, VELOCITY_NAMES } from '@vigil/core';
import { complete, completionsAt, ruleNames, TX_FIELDS, wordBefore } from './rule-names.js';

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

  it('gives each tx field the CEL type core’s checker gives it, and no field core lacks', () => {
    // `==` needs one type on both sides in the rules' CEL, so each probe passes only for its type.
    const probe = { double: '0.0', string: '""', int: '0' } as const;
    for (const [field, info] of Object.entries(TX_FIELDS)) {
      for (const [type, literal] of Object.entries(probe)) {
        const ok = checkExpression(`tx.${field} == ${literal}`, []).ok;
        expect({ field, type, ok }).toEqual({ field, type, ok: type === info.type });
      }
    }
    expect(checkExpression('tx.no_such_field == ""', []).ok).toBe(false);
  });

  it('says which tx fields may be absent and to test them with has() first', () => {
    const detail = (n: string) => names.find((x) => x.name === n)?.detail ?? '';
    expect(detail('tx.currency')).toContain('optional: test has(tx.currency) first');
    expect(detail('tx.ip')).toContain('has(tx.ip)');
    expect(detail('tx.amount')).not.toContain('optional');
    expect(detail('tx.hour')).toMatch(/^int/);
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
