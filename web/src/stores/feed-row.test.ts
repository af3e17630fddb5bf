import { describe, expect, it } from 'vitest';
import { ruleReason } from '@vigil/core';
import { reasonMessage } from '../format/format.js';
import { mergeRows, reasonLabel, reasonSentence, rowFromLive, rowFromSummary } from './feed-row.js';
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

  it('keeps the reasons of a row loaded from the API (a reload shows why, as live rows do)', () => {
    const d = decision(2, { decision: 'decline' });
    const reason = {
      code: 'NIGHT_TIME',
      feature: 'tx_during_night' as const,
      contribution: 0.2,
      message: reasonMessage('NIGHT_TIME'),
    };
    const row = rowFromSummary({
      ...d,
      currency: 'EUR',
      label: null,
      case_id: 'case_2',
      case_status: 'open',
      reasons: [reason],
    });
    expect(row.reasons.map(reasonLabel)).toEqual(['NIGHT_TIME']);
    // A live row without reasons takes the API's; one with reasons keeps its own.
    const live = rowFromLive({ ...d, reasons: [] });
    expect(mergeRows(live, row).reasons).toEqual(row.reasons);
  });
});
