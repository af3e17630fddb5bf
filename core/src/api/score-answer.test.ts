import { FEATURE_NAMES } from '../features/feature-names.js';
import * as fc from 'fast-check';
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
    fc.record({
      code: fc.string(),
      feature: fc.constantFrom(...FEATURE_NAMES),
      contribution: fc.double({ noNaN: true, noDefaultInfinity: true }),
    }),
    { maxLength: 3 },
  ),
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

  it('refuse stored text that is not an answer', () => {
    for (const bad of ['', '{', '{}', '{"score":2}', JSON.stringify([1])]) {
      expect(() => replayAnswer(bad)).toThrow(StoredAnswerError);
    }
  });
});
