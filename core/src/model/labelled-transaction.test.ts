import { describe, expect, it } from 'vitest';
import { validateLabelledTransaction } from './labelled-transaction.js';

const line = {
  transaction_id: 'tx_1',
  timestamp: '2021-03-01T10:00:00+01:00',
  customer_id: 'c_1',
  terminal_id: 't_1',
  amount: 12.5,
  currency: 'EUR',
  is_fraud: 1,
};

describe('validateLabelledTransaction', () => {
  it('takes the API’s transaction with its label, as simulate writes it, time in UTC', () => {
    const r = validateLabelledTransaction({ ...line, fraud_scenario: 2 });
    expect(r).toMatchObject({
      ok: true,
      value: { timestamp: '2021-03-01T09:00:00Z', is_fraud: 1 },
    });
    expect(validateLabelledTransaction({ ...line, is_fraud: false }).ok).toBe(true);
  });

  it('names the field of every problem with a JSON Pointer', () => {
    const issues = (input: unknown) => {
      const r = validateLabelledTransaction(input);
      return r.ok ? [] : r.issues.map((i) => i.path);
    };
    expect(issues({ ...line, is_fraud: 2 })).toEqual(['/is_fraud']);
    expect(issues({ ...line, is_fraud: undefined })).toEqual(['/is_fraud']);
    expect(issues({ ...line, amount: -1 })).toEqual(['/amount']);
    expect(issues({ ...line, label_time: 'yesterday' })).toEqual(['/label_time']);
    expect(issues({ ...line, extra: 1 })).toEqual(['/extra']);
    expect(issues({ ...line, customer_id: '4111111111111111' })).toEqual(['/customer_id']);
    expect(issues({ ...line, label_time: '2021-03-01T08:59:59Z' })).toEqual(['/label_time']);
  });

  it('takes a label time at or after the transaction', () => {
    expect(validateLabelledTransaction({ ...line, label_time: '2021-03-01T09:00:00Z' }).ok).toBe(
      true,
    );
  });
});
