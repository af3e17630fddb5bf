import { describe, expect, it } from 'vitest';
import { decisionEvent, feedbackEvent } from '../testing/fixtures.js';
import { checkConsumedEvent } from './consumed-event.js';

describe("the consumer's structural check", () => {
  it('passes what the ingest produces, as it produced it', () => {
    const d = decisionEvent(3);
    const f = feedbackEvent(3, 'fraud', '2018-08-08T10:00:00.000Z');
    expect(checkConsumedEvent(JSON.stringify(d))).toEqual({ ok: true, value: d });
    expect(checkConsumedEvent(JSON.stringify(f))).toEqual({ ok: true, value: f });
  });

  it('sets aside what the consumer cannot use, naming the field', () => {
    const d = decisionEvent(4);
    const bad = (v: unknown) => checkConsumedEvent(JSON.stringify(v));
    expect(checkConsumedEvent(null)).toEqual({ ok: false, problem: 'not JSON' });
    expect(checkConsumedEvent('{"events":')).toEqual({ ok: false, problem: 'not JSON' });
    expect(bad([d])).toEqual({ ok: false, problem: 'not a JSON object' });
    expect(bad({ not: 'an event' })).toEqual({ ok: false, problem: 'schema_version' });
    expect(bad({ ...d, schema_version: 2 })).toEqual({ ok: false, problem: 'schema_version' });
    expect(bad({ ...d, event_id: '' })).toEqual({ ok: false, problem: 'event_id' });
    expect(bad({ ...d, type: 'other' })).toEqual({ ok: false, problem: 'type' });
    expect(bad({ ...d, transaction: { ...d.transaction, amount: '1' } })).toEqual({
      ok: false,
      problem: 'transaction/amount',
    });
    expect(bad({ ...d, decision: 'maybe' })).toEqual({ ok: false, problem: 'decision' });
    const ch = { model_version: 'gbdt-next', score: 0.5, decision: 'review' };
    expect(checkConsumedEvent(JSON.stringify({ ...d, challenger: ch })).ok).toBe(true);
    expect(checkConsumedEvent(JSON.stringify({ ...d, challenger: null })).ok).toBe(true);
    expect(bad({ ...d, challenger: { ...ch, score: 'high' } })).toEqual({
      ok: false,
      problem: 'challenger/score',
    });
    expect(bad({ ...d, challenger: { ...ch, decision: 'maybe' } })).toEqual({
      ok: false,
      problem: 'challenger/decision',
    });
    expect(bad({ ...d, challenger: 'gbdt-next' })).toEqual({
      ok: false,
      problem: 'challenger/model_version',
    });
    const f = feedbackEvent(4, 'fraud', '2018-08-08T10:00:00.000Z');
    expect(bad({ ...f, transaction_id: 7 })).toEqual({ ok: false, problem: 'transaction_id' });
  });
});
