import { describe, expect, it } from 'vitest';
import {
  featureLabel,
  formatAmount,
  formatAmountShort,
  formatContribution,
  formatCount,
  formatCountOf,
  formatDateTime,
  edgeMsNote,
  formatEdgeMs,
  formatShareOf,
  formatAge,
  formatFeatureValue,
  formatMs,
  formatPercent,
  formatRate,
  formatScore,
  formatTime,
  reasonMessage,
} from './format.js';

describe('format', () => {
  it('formats money with and without a currency', () => {
    expect(formatAmount(57.16, 'EUR')).toBe('€57.16');
    expect(formatAmount(1234.5, 'USD')).toBe('US$1,234.50');
    expect(formatAmount(57.16, null)).toBe('57.16');
    // A tile's amount: whole below 100,000, else three significant digits.
    expect(formatAmountShort(99_999.99, 'EUR')).toBe('€99,999.99');
    expect(formatAmountShort(1_073_374.24, 'EUR')).toBe('€1.07M');
    expect(formatAmountShort(250_000, null)).toBe('250K');
    expect(formatAmountShort(1_500_000, 'XTS1')).toBe('1.5M XTS1');
    expect(formatAmount(5, 'XYZ1')).toBe('5.00 XYZ1');
    expect(formatAmount(Number.NaN, 'EUR')).toBe('—');
  });

  it('formats scores, shares, durations, counts and rates', () => {
    expect(formatScore(0.0312)).toBe('0.031');
    expect(formatPercent(0)).toBe('0 %');
    expect(formatPercent(0.01234)).toBe('1.23 %');
    expect(formatPercent(0.5)).toBe('50.0 %');
    expect(formatMs(0.834)).toBe('0.83 ms');
    expect(formatMs(123.4)).toBe('123 ms');
    // workerd's coarse clock: 0 means under its resolution, never "0.00 ms".
    expect(formatEdgeMs(0)).toBe('< 1 ms');
    expect(edgeMsNote(0)).toContain('coarse');
    expect(formatEdgeMs(0.834)).toBe('0.83 ms');
    expect(edgeMsNote(0.834)).toBeNull();
    // An empty window has no share.
    expect(formatShareOf(0, 0)).toBe('—');
    expect(formatShareOf(0, 10)).toBe('0 %');
    expect(formatShareOf(1, 4)).toBe('25.0 %');
    expect(formatAge(42.4)).toBe('42 s');
    expect(formatAge(725)).toBe('12 min');
    expect(formatAge(3 * 3600 + 1800)).toBe('3.5 h');
    expect(formatAge(2.1 * 86_400)).toBe('2.1 days');
    expect(formatAge(-1)).toBe('—');
    expect(formatCount(12345)).toBe('12,345');
    expect(formatCount(2_500_000)).toBe('2.5M');
  });

  it('puts the noun in the number of the count', () => {
    expect(formatCountOf(1, 'item')).toBe('1 item');
    expect(formatCountOf(0, 'item')).toBe('0 items');
    expect(formatCountOf(12345, 'error')).toBe('12,345 errors');
    expect(formatCountOf(2, 'match', 'matches')).toBe('2 matches');
    expect(formatRate(2.25)).toBe('2.3/s');
    expect(formatRate(1999.6)).toBe('2,000/s');
    expect(formatContribution(0.12)).toBe('+0.120');
    expect(formatContribution(-0.5)).toBe('−0.500');
  });

  it('formats event times in UTC', () => {
    expect(formatTime('2018-08-08T10:12:03Z')).toBe('10:12:03');
    expect(formatTime('2018-08-08T10:12:03.5+02:00')).toBe('08:12:03');
    expect(formatDateTime('2018-08-08T10:12:03Z')).toBe('2018-08-08 10:12:03 UTC');
    expect(formatTime('nope')).toBe('—');
  });

  it('formats feature values', () => {
    expect(formatFeatureValue(3)).toBe('3');
    expect(formatFeatureValue(86400)).toBe('86,400');
    expect(formatFeatureValue(0.123456)).toBe('0.1235');
    expect(formatFeatureValue(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(featureLabel('amount_to_mean_30d')).toBe("Amount ÷ card's 30-day average (ratio)");
    expect(featureLabel('new_feature_x')).toBe('new feature x');
  });

  it("reads reason codes as core's sentences", () => {
    expect(reasonMessage('AMOUNT_VS_CUSTOMER_MEAN')).toBe(
      "The amount is at least twice the card's 30-day average.",
    );
    expect(reasonMessage('SOMETHING_NEW')).toBe('something new');
  });
});
