import { FEATURE_NAMES } from '../features/feature-names.js';
import * as fc from 'fast-check';
import { REASON_CODES } from '../policy/reason-codes.js';
import { RULE_ACTIONS } from '../rules/rules-contract.js';
import { describe, expect, it } from 'vitest';
import {
  replayAnswer,
  serialiseAnswer,
  StoredAnswerError,
  type ScoreAnswer,
} from './score-answer.js';

const answer: fc.Arbitrary<ScoreAnswer> = fc.record({
  transaction_id: fc.string({ minLength: 1 }),
  score: fc.double({ min: 0, max: 1, noNaN: true }),
  decision: fc.constantFrom('approve', 'review', 'decline'),
  reasons: fc.array(
    fc.oneof(
      fc.record({
        code: fc.string(),
        feature: fc.constantFrom(...FEATURE_NAMES),
        contribution: fc.double({ noNaN: true, noDefaultInfinity: true }),
        message: fc.string(),
      }),
      fc.record({
        code: fc.string(),
        rule: fc.string(),
        message: fc.string(),
        contribution: fc.constant(0),
      }),
    ),
    { maxLength: 4 },
  ),
  rules: fc.array(fc.record({ id: fc.string(), action: fc.constantFrom(...RULE_ACTIONS) }), {
    maxLength: 3,
  }),
  model_version: fc.string(),
  degraded: fc.boolean(),
  replayed: fc.boolean(),
});

describe('answers', () => {
  it('serialise exactly as JSON.stringify does, and replay to themselves', () => {
    fc.assert(
      fc.property(answer, (a) => {
        const s = serialiseAnswer(a);
        expect(s).toBe(JSON.stringify(a));
        // Compared as JSON: JSON has no -0, which a rounded contribution can be.
        expect(JSON.stringify(replayAnswer(s))).toBe(JSON.stringify({ ...a, replayed: true }));
      }),
    );
  });

  it('replay an answer stored before rules existed with no rules', () => {
    const old = JSON.stringify({
      transaction_id: 't_1',
      score: 0.5,
      decision: 'review',
      reasons: [{ code: 'HIGH_AMOUNT', feature: 'amount', contribution: 0.3 }],
      model_version: 'm1',
      degraded: false,
      replayed: false,
    });
    const a = replayAnswer(old);
    expect(a.rules).toEqual([]);
    expect(serialiseAnswer(a)).toBe(JSON.stringify(a));
  });

  it('replay an answer stored before reasons had sentences with its features’ sentences', () => {
    const old = JSON.stringify({
      transaction_id: 't_2',
      score: 0.5,
      decision: 'review',
      reasons: [{ code: 'HIGH_AMOUNT', feature: 'amount', contribution: 0.3 }],
      rules: [],
      model_version: 'm1',
      degraded: false,
      replayed: false,
    });
    const a = replayAnswer(old);
    expect(a.reasons).toEqual([
      {
        code: 'HIGH_AMOUNT',
        feature: 'amount',
        contribution: 0.3,
        message: REASON_CODES.amount.message,
      },
    ]);
    expect(REASON_CODES.amount.message).toMatch(/^[A-Z].*\.$/);
  });

  it('carry a rule reason beside feature reasons', () => {
    const a = replayAnswer(
      JSON.stringify({
        transaction_id: 't_2',
        score: 0.01,
        decision: 'decline',
        reasons: [
          {
            code: 'RULE_BLOCK',
            rule: 'card_testing',
            message: 'Blocked by rule “Card testing”',
            contribution: 0,
          },
          { code: 'HIGH_AMOUNT', feature: 'amount', contribution: 0.3 },
        ],
        rules: [{ id: 'card_testing', action: 'block' }],
        model_version: 'm1',
        degraded: false,
        replayed: false,
      }),
    );
    expect(a.reasons[0]).toMatchObject({ rule: 'card_testing' });
    expect(a.rules).toEqual([{ id: 'card_testing', action: 'block' }]);
  });

  it('refuse stored text that is not an answer', () => {
    const good = {
      transaction_id: 't',
      score: 0.5,
      decision: 'review',
      reasons: [],
      rules: [],
      model_version: 'm',
      degraded: false,
      replayed: false,
    };
    for (const bad of [
      '',
      '{',
      '{}',
      '{"score":2}',
      JSON.stringify([1]),
      JSON.stringify({ ...good, rules: [{ id: 'r', action: 'deny' }] }),
      JSON.stringify({ ...good, reasons: [{ code: 'X', rule: 'r', contribution: 0 }] }),
      JSON.stringify({ ...good, reasons: [{ code: 'X', feature: 'nope', contribution: 0 }] }),
    ]) {
      expect(() => replayAnswer(bad)).toThrow(StoredAnswerError);
    }
  });
});
