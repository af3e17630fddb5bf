import { describe, expect, it } from 'vitest';
import { ruleReason } from '@vigil/core';
import { reasonMessage } from '../format/format.js';
import { reasonLabel, reasonSentence, rowFromLive, rowFromSummary } from './feed-row.js';
import { decision } from '../test/fakes.js';

describe('a feed row’s reasons', () => {
  // A rule's reason as the edge puts it on the decision event (core's ruleReason).
  const rule = ruleReason({ id: 'block_listed_customers', name: 'Blocked card', action: 'block' });
  const night = { code: 'NIGHT_TIME', feature: 'tx_during_night', contribution: 0.2 };

  it('names the rule that decided, not the action’s code', () => {
    const row = rowFromLive(decision(1, { reasons: [rule] }));
    expect(row.reasons.map(reasonLabel)).toEqual(['rule block_listed_customers']);
    expect(reasonSentence(row.reasons[0]!)).toBe(
      'rule block_listed_customers: Blocked by rule “Blocked card”',
    );
  });

  it('shows a feature’s reason by its code, with the code’s sentence', () => {
    expect(reasonLabel(night)).toBe('NIGHT_TIME');
    expect(reasonSentence(night)).toBe(`NIGHT_TIME: ${reasonMessage('NIGHT_TIME')}`);
  });

  it('keeps the reasons of a row reloaded from the list API (a decline is not shown without)', () => {
    const d = decision(2, { decision: 'decline' });
    const row = rowFromSummary({
      ...d,
      currency: 'EUR',
      label: null,
      case_id: 'case_x',
      case_status: 'open',
      reasons: [rule, { ...night, feature: 'tx_during_night', message: 'At night.' }],
    });
    expect(row.reasons.map(reasonLabel)).toEqual(['rule block_listed_customers', 'NIGHT_TIME']);
  });
});
