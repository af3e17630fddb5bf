/** The money tiles, rendered by Solid's server renderer and read as a fraud lead would. */
import { describe, expect, it } from 'vitest';
import { renderToString } from 'solid-js/web';
import type { Stats } from '@vigil/core';
import { MoneyTiles } from './money-tiles.js';

const text = (html: string) => html.replace(/<!--[^>]*-->/g, '').replace(/(<[^>]+>)+/g, '|');

const stats = (over: Partial<Stats>): Stats => ({
  window: '1h',
  from: '',
  to: '',
  transactions: 0,
  tps: 0,
  decisions: { approve: 0, review: 0, decline: 0 },
  labelled_fraud_rate: null,
  fraud_rate: 0,
  money: [],
  false_positive_share: null,
  open_case_median_age_s: null,
  score_histogram: [],
  latency_ms: { p50: 0, p99: 0 },
  consumer_lag: 0,
  open_cases: 0,
  series: [],
  ...over,
});

describe('MoneyTiles', () => {
  it('shows the main currency’s amounts, the false-positive share and the open cases’ age', () => {
    const html = renderToString(() => (
      <MoneyTiles
        stats={() =>
          stats({
            money: [
              {
                currency: 'EUR',
                approved: 12_345.5,
                review: 800,
                declined: 1_200,
                confirmed_fraud: 450.25,
                false_positive: 90,
              },
              {
                currency: 'USD',
                approved: 10,
                review: 0,
                declined: 0,
                confirmed_fraud: 0,
                false_positive: 0,
              },
            ],
            false_positive_share: 0.25,
            open_case_median_age_s: 725,
          })
        }
      />
    ));
    const t = text(html);
    expect(t).toContain('Approved|€12,345.50');
    expect(t).toContain('In review|€800.00');
    expect(t).toContain('Declined|€1,200.00');
    expect(t).toContain('Confirmed fraud|€450.25');
    expect(t).toContain('False positives|€90.00');
    expect(t).toContain('(+1 other currency)');
    expect(html).toContain('title="Also: US$10.00"');
    expect(t).toContain('False-positive share|25.0 %');
    expect(t).toContain('Open cases wait|12 min');
  });

  it('compacts a long amount so it never wraps mid-number, the exact amount in its title', () => {
    const html = renderToString(() => (
      <MoneyTiles
        stats={() =>
          stats({
            money: [
              {
                currency: 'EUR',
                approved: 1_073_374.24,
                review: 9_012,
                declined: 0,
                confirmed_fraud: 0,
                false_positive: 0,
              },
            ],
          })
        }
      />
    ));
    const t = text(html);
    expect(t).toContain('Approved|€1.07M');
    expect(html).toContain('title="€1,073,374.24"');
    expect(t).toContain('In review|€9,012.00');
  });

  it('reads — for an empty window, not 0', () => {
    const t = text(renderToString(() => <MoneyTiles stats={() => stats({})} />));
    expect(t).toContain('Approved|—');
    expect(t).toContain('False-positive share|—');
    expect(t).toContain('Open cases wait|—');
    expect(t).not.toContain('0 %');
  });
});
