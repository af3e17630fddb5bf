import { describe, expect, it } from 'vitest';
import { validateFeedback } from './feedback.js';

const good = { transaction_id: 'tx_000123', label: 'fraud', timestamp: '2018-08-15T09:00:00Z' };

describe('feedback schema', () => {
  it('accepts both labels', () => {
    expect(validateFeedback(good)).toEqual({ ok: true, value: good });
    expect(validateFeedback({ ...good, label: 'legitimate' }).ok).toBe(true);
  });

  it('hands the verdict time on in UTC, fraction digits kept', () => {
    const r = validateFeedback({ ...good, timestamp: '2018-08-15T09:00:00.123456789-23:59' });
    expect(r).toEqual({
      ok: true,
      value: { ...good, timestamp: '2018-08-16T08:59:00.123456789Z' },
    });
  });

  it('names a bad verdict time under its batch index', () => {
    const r = validateFeedback({ ...good, timestamp: '9999-12-31T23:59:59Z' }, ['feedback', 4]);
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(['/feedback/4/timestamp']);
  });

  it('names every bad field by JSON Pointer, under a prefix', () => {
    const r = validateFeedback({ ...good, label: 'chargeback', note: 'x' }, ['feedback', 2]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path).sort()).toEqual(['/feedback/2/label', '/feedback/2/note']);
    expect(r.issues.find((i) => i.path.endsWith('/note'))?.message).toBe('unknown field');
  });

  it.each([
    ['transaction_id', 'tx 1'],
    ['transaction_id', ''],
    ['transaction_id', 7],
    ['timestamp', '2018-08-15'],
    ['timestamp', '0000-01-01T00:00:00Z'],
    ['timestamp', '9999-12-31T23:59:59Z'],
    ['timestamp', '1969-12-31T23:59:59Z'],
    ['timestamp', '2018-08-15T00:00:00.0000000001Z'],
    ['transaction_id', '4111111111111111'],
    ['label', 'FRAUD'],
    ['label', null],
  ])('rejects %s = %j', (field, value) => {
    const r = validateFeedback({ ...good, [field]: value });
    expect(r.ok).toBe(false);
    // Every issue is about that field (an empty id breaks two rules: two issues, one path).
    if (!r.ok) expect([...new Set(r.issues.map((i) => i.path))]).toEqual([`/${field}`]);
  });

  it('reports each missing field and rejects non-objects', () => {
    const r = validateFeedback({});
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues.map((i) => i.path).sort()).toEqual([
        '/label',
        '/timestamp',
        '/transaction_id',
      ]);
    for (const v of [null, [], 'fraud', 1]) {
      const n = validateFeedback(v);
      expect(n.ok).toBe(false);
      if (!n.ok)
        expect(n.issues).toEqual([{ path: '', message: 'feedback must be a JSON object' }]);
    }
  });
});
