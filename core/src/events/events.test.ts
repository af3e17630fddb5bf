import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../features/feature-names.js';
import {
  DECISIONS_TOPIC,
  FEEDBACK_TOPIC,
  decisionEventId,
  eventKey,
  featuresRecord,
  feedbackEventId,
  topicOf,
  validateEvent,
  validateIngestBatch,
  type DecisionEventV1,
  type FeedbackEventV1,
} from './events.js';
import { parseHubFrame } from './live.js';

const decision: DecisionEventV1 = {
  event_id: decisionEventId('tx_1'),
  schema_version: 1,
  type: 'decision',
  transaction: {
    transaction_id: 'tx_1',
    timestamp: '2018-08-08T10:12:03Z',
    customer_id: 'c_1',
    terminal_id: 't_1',
    amount: 57.16,
  },
  score: 0.5,
  decision: 'review',
  reasons: [{ code: 'AMOUNT_VS_CUSTOMER_MEAN', feature: 'amount_to_mean_30d', contribution: 0.1 }],
  features: featuresRecord(new Float64Array(FEATURE_NAMES.length)),
  model_version: 'gbdt-x',
  degraded: false,
  scored_at: '2026-11-23T10:00:00.000Z',
  runtime: 'node',
  latency_ms: 0.8,
};
const feedback: FeedbackEventV1 = {
  event_id: feedbackEventId('tx_1', 'fraud', '2018-08-15T00:00:00Z'),
  schema_version: 1,
  type: 'feedback',
  transaction_id: 'tx_1',
  label: 'fraud',
  timestamp: '2018-08-15T00:00:00Z',
  source: 'analyst',
};

describe('events', () => {
  it('accepts a batch of both kinds and routes each to its topic and key', () => {
    const r = validateIngestBatch({ events: [decision, feedback] });
    expect(r.ok).toBe(true);
    expect(topicOf(decision)).toBe(DECISIONS_TOPIC);
    expect(topicOf(feedback)).toBe(FEEDBACK_TOPIC);
    expect(eventKey(decision)).toBe('c_1');
    expect(eventKey(feedback)).toBe('tx_1');
    expect(eventKey({ ...feedback, customer_id: 'c_9' })).toBe('c_9');
  });
  it('names every bad field by index, and refuses the whole batch', () => {
    const bad = { ...decision, score: 2, transaction: { ...decision.transaction, amount: -1 } };
    const r = validateIngestBatch({ events: [decision, bad, { ...feedback, label: 'maybe' }] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.issues.map((i) => i.path);
    expect(paths).toContain('/events/1/score');
    expect(paths).toContain('/events/1/transaction/amount');
    expect(paths).toContain('/events/2/label');
  });
  it('carries the rules that matched, the shadow rules and the ruleset version, and rule reasons', () => {
    const ruled = {
      ...decision,
      decision: 'decline' as const,
      reasons: [
        {
          code: 'RULE_BLOCK',
          rule: 'card_testing',
          message: 'Blocked by rule “Card testing”',
          contribution: 0,
        },
        ...decision.reasons,
      ],
      rules: [{ id: 'card_testing', action: 'block' as const }],
      shadow_rules: ['night_review'],
      ruleset_version: 12,
    };
    const r = validateEvent(ruled);
    expect(r.ok && r.value).toEqual(ruled);
    // Events of edges without rules stay valid.
    expect(validateEvent(decision).ok).toBe(true);
    const cases: [unknown, string][] = [
      [{ ...ruled, rules: [{ id: 'Card Testing', action: 'block' }] }, '/rules/0/id'],
      [{ ...ruled, rules: [{ id: 'x', action: 'deny' }] }, '/rules/0/action'],
      [{ ...ruled, shadow_rules: ['a\u0000'] }, '/shadow_rules/0'],
      [{ ...ruled, ruleset_version: -1 }, '/ruleset_version'],
      [{ ...ruled, ruleset_version: 1.5 }, '/ruleset_version'],
      // Postgres's integer holds it, or the event is refused here.
      [{ ...ruled, ruleset_version: 2 ** 31 }, '/ruleset_version'],
      [{ ...ruled, reasons: [{ ...ruled.reasons[0], message: 'B\ud800' }] }, '/reasons/0/message'],
      [{ ...ruled, rules: Array.from({ length: 201 }, () => ruled.rules[0]) }, '/rules'],
    ];
    for (const [event, path] of cases) {
      const one = validateEvent(event);
      expect(one.ok, path).toBe(false);
      if (!one.ok) expect(one.issues.map((i) => i.path)).toContain(path);
    }
  });
  it('refuses an empty batch, unknown fields and an unknown schema version', () => {
    expect(validateIngestBatch({ events: [] }).ok).toBe(false);
    expect(validateEvent({ ...decision, extra: 1 }).ok).toBe(false);
    expect(validateEvent({ ...decision, schema_version: 2 }).ok).toBe(false);
  });
  it('names each feature that is not a finite number, and refuses features that are no object', () => {
    const features = { ...decision.features, amount: 'high', hour_of_day: null };
    const r = validateIngestBatch({ events: [decision, { ...decision, features }] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path).sort()).toEqual([
      '/events/1/features/amount',
      '/events/1/features/hour_of_day',
    ]);
    for (const bad of [null, [1, 2], 'x', 3, new Float32Array(2), new Date(0)]) {
      const one = validateEvent({ ...decision, features: bad });
      expect(one.ok).toBe(false);
      if (!one.ok) expect(one.issues.map((i) => i.path)).toEqual(['/features']);
    }
    expect(validateEvent({ ...decision, features: {} }).ok).toBe(true);
  });
  it('refuses NUL and lone surrogates in every free-text field, which Postgres cannot hold', () => {
    const cases: [unknown, string][] = [
      [{ ...decision, event_id: 'dec:\u0000' }, '/event_id'],
      [{ ...decision, model_version: 'g\ud800' }, '/model_version'],
      [{ ...decision, reasons: [{ ...decision.reasons[0], code: '\udc00' }] }, '/reasons/0/code'],
      [
        { ...decision, reasons: [{ ...decision.reasons[0], feature: 'a\u0000' }] },
        '/reasons/0/feature',
      ],
      [{ ...decision, features: { 'x\ud800': 1 } }, '/features/x\ud800'],
      [{ ...feedback, actor: 'ann\u0000' }, '/actor'],
      [{ ...feedback, case_id: 'case_\udfff' }, '/case_id'],
      [{ ...feedback, customer_id: '\u0000' }, '/customer_id'],
    ];
    for (const [event, path] of cases) {
      const r = validateEvent(event);
      expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual([path]);
    }
    // A pair is a character like any other.
    expect(validateEvent({ ...feedback, actor: 'ann 😀' }).ok).toBe(true);
  });
  it('takes only times Postgres stores: offsets within ±15:59, 1970 to a day ahead', () => {
    const paths = (e: unknown) => {
      const r = validateEvent(e);
      return r.ok ? [] : r.issues.map((i) => i.path);
    };
    const tx = decision.transaction;
    expect(
      paths({ ...decision, transaction: { ...tx, timestamp: '2026-12-01T10:00:00+16:00' } }),
    ).toEqual(['/transaction/timestamp']);
    expect(paths({ ...decision, scored_at: '2026-12-01T10:00:00-23:59' })).toEqual(['/scored_at']);
    expect(paths({ ...feedback, timestamp: '0000-01-01T00:00:00Z' })).toEqual(['/timestamp']);
    expect(paths({ ...feedback, timestamp: '9999-12-31T23:59:59Z' })).toEqual(['/timestamp']);
    expect(paths({ ...feedback, timestamp: '2018-08-15T00:00:00.123456789-15:59' })).toEqual([]);
  });
  it('gives one verdict one id whoever sends it', () => {
    expect(feedbackEventId('a', 'fraud', 't')).toBe(feedbackEventId('a', 'fraud', 't'));
    expect(feedbackEventId('a', 'fraud', 't')).not.toBe(feedbackEventId('a', 'legitimate', 't'));
  });
});

describe('hub frames', () => {
  it('parses hello, gap and events, and drops what is not a frame', () => {
    expect(parseHubFrame('{"type":"hello","last_seq":5,"oldest_seq":1}')).toEqual({
      type: 'hello',
      last_seq: 5,
      oldest_seq: 1,
    });
    expect(parseHubFrame('{"type":"gap","from_seq":1,"to_seq":3}')?.type).toBe('gap');
    const f = parseHubFrame(
      JSON.stringify({
        type: 'events',
        items: [{ seq: 1, event: { kind: 'feedback' } }, { seq: 2, event: { kind: 'nope' } }, 3],
      }),
    );
    expect(f?.type === 'events' && f.items.map((i) => i.seq)).toEqual([1]);
    expect(parseHubFrame('not json')).toBeNull();
    expect(parseHubFrame('[1]')).toBeNull();
  });
});
