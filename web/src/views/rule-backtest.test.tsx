/**
 * The backtest panel and the Thresholds page, rendered by Solid's server renderer from stores fed
 * by a fake client, and read as an analyst would.
 */
import { describe, expect, it } from 'vitest';
import { renderToString } from 'solid-js/web';
import type { BacktestAnswer, ThresholdsOutcome } from '@vigil/core';
import { fakeClock } from '../test/fakes.js';
import { BACKTEST_DEBOUNCE_MS, createBacktestStore } from '../stores/backtest-store.js';
import { createThresholdsStore, PREVIEW_DEBOUNCE_MS } from '../stores/thresholds-store.js';
import { RuleBacktest } from './rule-backtest.js';
import { ThresholdsPage } from './thresholds-page.js';

const text = (html: string) =>
  html
    .replace(/<!--[^>]*-->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
const tick = () => new Promise((r) => setTimeout(r, 0));

const answer: BacktestAnswer = {
  window: { from: '2026-11-05T00:00:00Z', to: '2026-12-05T00:00:00Z' },
  ruleset_version: 4,
  evaluated: 1200,
  matched: 7,
  matched_fraud: 3,
  matched_legitimate: 1,
  matched_unlabelled: 3,
  rule_errors: 0,
  model_thresholds: [],
  amount: {
    matched: 7000,
    matched_fraud: 2500,
    matched_legitimate: 900,
    currencies: ['EUR'],
    currency_note: '',
  },
  decision_changes: [{ from: 'approve', to: 'review', count: 5, amount: 4000 }],
  per_day: [{ day: '2026-12-01', evaluated: 1200, matched: 7, matched_fraud: 3 }],
  examples: [
    {
      transaction_id: 'tx_fraud_1',
      label: 'fraud',
      decision: 'approve',
      new_decision: 'review',
      amount: 1200,
      currency: 'EUR',
      score: 0.3,
      scored_at: '2026-12-01T10:00:00Z',
    },
  ],
  lists_as_of: '2026-12-05T00:00:00Z',
  labels_as_of: '2026-12-05T00:00:00Z',
  velocity_from: null,
  velocity_read_by: { candidate: false, rules: [] },
  shadow: {
    rule_id: 'big',
    evaluated: 900,
    matched: 6,
    matched_fraud: 2,
    matched_legitimate: 1,
    matched_unlabelled: 3,
  },
  elapsed_ms: 12,
};

/** The panel as rendered once the store has `a`. */
async function renderPanel(a: BacktestAnswer): Promise<string> {
  const clock = fakeClock();
  const store = createBacktestStore({
    client: { backtestRule: () => Promise.resolve(a) },
    lists: () => [],
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
  });
  store.setRule({ expression: 'tx.amount > 500.0', action: 'review', ruleId: 'big' });
  clock.advance(BACKTEST_DEBOUNCE_MS);
  await tick();
  return renderToString(() => (
    <RuleBacktest backtest={store} theme={() => 'dark'} onOpenTransaction={() => {}} />
  ));
}

describe('the backtest panel', () => {
  it('shows the counts, money, changes, examples, the lists note and the live shadow counts', async () => {
    const html = await renderPanel(answer);
    const t = text(html);
    expect(html).toContain('data-testid="backtest-matched" data-value="7"');
    expect(html).toContain('data-testid="backtest-evaluated" data-value="1200"');
    expect(t).toContain('Confirmed fraud 3 · €2,500.00');
    expect(t).toContain('Live in shadow 6 of 900 · 2 fraud');
    expect(html).toContain('data-from="approve" data-to="review"');
    expect(html).toContain('data-transaction-id="tx_fraud_1"');
    expect(t).toContain('Lists as they are now');
    expect(t).toContain('Ruleset version 4 with this rule in it');
    // No active rule matched a decision: no model decision was derived, none is named.
    expect(html).not.toContain('backtest-model-thresholds');
  });

  it('says for which rules velocity was recomputed, and plainly when this rule reads none', async () => {
    const from = '2026-10-29T00:00:00Z';
    const others = text(
      await renderPanel({
        ...answer,
        velocity_from: from,
        velocity_read_by: { candidate: false, rules: ['card_testing', 'velocity_burst'] },
      }),
    );
    expect(others).toMatch(
      /velocity recomputed from 2026-10-29 00:00:00 UTC for card_testing, velocity_burst in force \(this rule does not read it\)/,
    );
    const own = text(
      await renderPanel({
        ...answer,
        velocity_from: from,
        velocity_read_by: { candidate: true, rules: [] },
      }),
    );
    expect(own).toMatch(/velocity recomputed from 2026-10-29 00:00:00 UTC \(this rule reads it\)/);
    expect(text(await renderPanel(answer))).not.toContain('velocity');
  });

  it('names the thresholds each model version’s decisions were derived with, estimates plainly', async () => {
    const html = await renderPanel({
      ...answer,
      model_thresholds: [
        { model_version: 'gbdt-v1', thresholds: { review: 0.35, decline: 0.8 }, source: 'set' },
        { model_version: 'gbdt-v2', thresholds: { review: 0.4, decline: 0.9 }, source: 'model' },
        { model_version: 'old-v0', thresholds: null, source: 'estimated' },
      ],
    });
    const rows = html.split('data-testid="backtest-model-threshold"').slice(1).map(text);
    expect(rows).toHaveLength(3);
    expect(html).toContain('data-model-version="gbdt-v1" data-source="set"');
    expect(rows[0]).toContain('gbdt-v1 review ≥ 0.350, decline ≥ 0.800 set for this model');
    expect(rows[1]).toContain('gbdt-v2 review ≥ 0.400, decline ≥ 0.900 the model’s own');
    expect(html).toContain('data-model-version="old-v0" data-source="estimated"');
    expect(rows[2]).toContain(
      'old-v0 estimated from the scores of its decisions no rule changed estimated',
    );
  });
});

const tally = (count: number, fraud: number) => ({
  count,
  amount: count * 10,
  fraud,
  fraud_amount: fraud * 10,
});
const outcome = (review: number, decline: number, reviewed: number): ThresholdsOutcome => ({
  thresholds: { review, decline },
  approve: tally(100 - reviewed, 1),
  review: tally(reviewed, 2),
  decline: tally(0, 0),
  frauds_caught: 2,
  frauds_missed: 1,
  legitimate_flagged: reviewed - 2,
});

describe('the Thresholds page', () => {
  it('shows the model, what is in force beside the proposal, and Apply', async () => {
    const clock = fakeClock();
    const store = createThresholdsStore({
      client: {
        getThresholds: () =>
          Promise.resolve({
            items: [],
            served: [
              {
                model_version: 'gbdt-v2',
                model_thresholds: { review: 0.4, decline: 0.8 },
                in_force: { review: 0.4, decline: 0.8 },
                seen_at: '2026-12-05T00:00:00Z',
              },
            ],
          }),
        previewThresholds: (b) =>
          Promise.resolve({
            window: { from: '2026-11-05T00:00:00Z', to: '2026-12-05T00:00:00Z' },
            model_version: 'gbdt-v2',
            evaluated: 100,
            currencies: ['EUR'],
            currency_note: 'all in EUR, in its major unit',
            current: outcome(0.4, 0.8, 10),
            proposed: outcome(b.review, b.decline, 25),
            histogram: { bins: 2, fraud: [1, 2], legitimate: [90, 7], unlabelled: [0, 0] },
            elapsed_ms: 3,
          }),
        setThresholds: () => Promise.reject(new Error('unused')),
      },
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
    });
    await store.load();
    store.set('review', 0.3);
    clock.advance(PREVIEW_DEBOUNCE_MS);
    await tick();
    const html = renderToString(() => <ThresholdsPage thresholds={store} theme={() => 'dark'} />);
    const t = text(html);
    expect(html).toContain('data-model-version="gbdt-v2"');
    expect(t).toContain('in force: review ≥ 0.400, decline ≥ 0.800');
    expect(html).toMatch(/data-testid="thresholds-review-count-current"[^>]*>10</);
    expect(html).toContain('data-testid="thresholds-review-count-proposed" data-value="25"');
    expect(html).toContain('data-testid="thresholds-apply"');
    // Amounts with the currency's sign, as the rest of the app shows them.
    expect(html).toMatch(/data-testid="thresholds-review-amount-proposed"[^>]*>€250\.00</);
    expect(html).not.toContain('thresholds-currency-note');
  });
});
