import { describe, expect, it } from 'vitest';
import { addToBounds, emptyBounds, ModelDecisions, modelDecisionOf } from './model-decision.js';

describe('the model decision from the thresholds in force', () => {
  // Rule-free decisions of model m: approve ≤ 0.2, review 0.6–0.7, decline ≥ 0.9 — the bounds
  // alone put a score of 0.35 on approve's side (the gap 0.2–0.6's midpoint is 0.4).
  const b = emptyBounds();
  addToBounds(b, 'approve', 0.2);
  addToBounds(b, 'review', 0.6);
  addToBounds(b, 'review', 0.7);
  addToBounds(b, 'decline', 0.9);
  const bounds = new Map([
    ['m', b],
    ['unknown', b],
  ]);

  it('decides a score a rule changed with the thresholds, not the rule-free decisions', () => {
    expect(modelDecisionOf('decline', ['block'], 0.35, b)).toBe('approve');
    expect(modelDecisionOf('decline', ['block'], 0.35, { review: 0.3, decline: 0.8 })).toBe(
      'review',
    );
    // Even where the stored rule-free decisions say otherwise: 0.65 was decided review then.
    expect(modelDecisionOf('approve', ['allow'], 0.65, { review: 0.3, decline: 0.5 })).toBe(
      'decline',
    );
  });

  it('keeps what the stored decision proves, whatever the thresholds say', () => {
    const t = { review: 0.3, decline: 0.5 };
    expect(modelDecisionOf('approve', null, 0.99, t)).toBe('approve');
    expect(modelDecisionOf('decline', ['review'], 0.01, t)).toBe('decline');
    // Only review rules over a stored review: the model's was approve or review, never decline.
    expect(modelDecisionOf('review', ['review'], 0.99, t)).toBe('review');
    expect(modelDecisionOf('review', ['review'], 0.1, t)).toBe('approve');
  });

  it('uses the thresholds set or the model’s own per version, else the bounds, and names them', () => {
    const inForce = new Map([
      ['m', { thresholds: { review: 0.3, decline: 0.8 }, source: 'set' as const }],
      ['own', { thresholds: { review: 0.5, decline: 0.95 }, source: 'model' as const }],
    ]);
    const md = new ModelDecisions(inForce, bounds);
    expect(md.of('decline', ['block'], 0.35, 'm')).toBe('review');
    expect(md.of('decline', ['block'], 0.35, 'own')).toBe('approve');
    expect(md.of('decline', ['block'], 0.96, 'own')).toBe('decline');
    // No thresholds known: the bounds' estimate (0.35 is below the gap's midpoint).
    expect(md.of('decline', ['block'], 0.35, 'unknown')).toBe('approve');
    expect(md.of('decline', ['block'], 0.45, 'unknown')).toBe('review');
    // A version whose decisions no rule matched derives nothing and is not named.
    expect(md.of('review', null, 0.35, 'untouched')).toBe('review');
    expect(md.usedThresholds()).toEqual([
      { model_version: 'm', thresholds: { review: 0.3, decline: 0.8 }, source: 'set' },
      { model_version: 'own', thresholds: { review: 0.5, decline: 0.95 }, source: 'model' },
      { model_version: 'unknown', thresholds: null, source: 'estimated' },
    ]);
  });
});
