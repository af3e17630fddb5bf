/**
 * The rule editor's backtest and the Thresholds page in Chromium against the whole system as
 * `npm start` runs it (edge in workerd, the backplane with embedded Postgres): payments are scored
 * and one is labelled fraud (and one declined by a list rule), then a rule typed in the editor shows
 * counts, a per-day chart and the thresholds each model version's own decisions were derived with
 * that match what POST /api/rules/backtest answers for the same rule, an example opens the drawer, the
 * rule is published as shadow (and its live shadow counts appear beside its backtest when edited);
 * on the Thresholds page moving the review threshold changes the preview as
 * POST /api/thresholds/preview says it should, and Apply sets what GET /api/thresholds shows — and
 * what the next backtest names as set. The steps share one page and run in order.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  BacktestAnswer,
  ScoreAnswer,
  Thresholds,
  ThresholdsList,
  ThresholdsPreview,
  TransactionDetail,
} from '@vigil/core';
import { startSystem, type RunningSystem } from '../../scripts/system.js';
import { launchChromium, type PageProblems } from './chromium.js';
import { poll, signedInPage, systemApi, tearDown, type ApiCall } from './helpers.js';

/** Payments scored for the test: amounts 100, 200, … so a rule on the amount matches a known few. */
const PAYMENTS = 12;

describe('the backtest and the Thresholds page in Chromium against the whole system', () => {
  let system: RunningSystem;
  let dir: string;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;
  let api: ApiCall;
  const tag = Date.now().toString(36);
  const txId = (n: number) => `tx_e2e_bt_${tag}_${n}`;
  const ruleId = `e2e_bt_${tag}`;
  /** Over 850: the payments of 900 and more — 4 of the 12. */
  const expression = 'tx.amount > 850.0';

  const count = async (testid: string): Promise<number> =>
    Number(await page.getByTestId(testid).getAttribute('data-value'));
  /** The model version of the payment a built-in list rule declined (set in beforeAll). */
  let blockedModel: string;
  /** The thresholds applied on the Thresholds page, for that step's model version. */
  let applied: { model_version: string; thresholds: Thresholds } | undefined;

  /** The backtest panel's "Model decisions derived with" rows, as an analyst reads them. */
  const modelThresholdRows = async () => {
    const rows = page.getByTestId('backtest-model-threshold');
    const out: { model_version: string | null; source: string | null; text: string | null }[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const row = rows.nth(i);
      out.push({
        model_version: await row.getAttribute('data-model-version'),
        source: await row.getAttribute('data-source'),
        text: await row.textContent(),
      });
    }
    return out;
  };
  /** What the panel must show for the API's `model_thresholds`, in the answer's order. */
  const expectedRows = (a: BacktestAnswer) =>
    a.model_thresholds.map((m) => ({
      model_version: m.model_version,
      source: m.source,
      text: `${m.model_version}${
        m.thresholds
          ? `review ≥ ${m.thresholds.review.toFixed(3)}, decline ≥ ${m.thresholds.decline.toFixed(3)}`
          : 'estimated from the scores of its decisions no rule changed'
      }${{ set: 'set for this model', model: 'the model’s own', estimated: 'estimated' }[m.source]}`,
    }));
  /** Open a new rule in the editor, type `expression`, and wait for its backtest. */
  const backtestInEditor = async (id: string, action: string) => {
    await page.getByTestId('rule-new').click();
    await page.getByTestId('rule-id').fill(id);
    await page.getByTestId('rule-name').fill('Large amount');
    await page.getByTestId('rule-action').selectOption(action);
    await page.getByTestId('rule-expression').pressSequentially(expression);
    await expect.poll(() => page.getByTestId('backtest').getAttribute('data-state')).toBe('done');
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-backtest-'));
    [system, browser] = await Promise.all([
      startSystem({ edge: 'workerd', env: {}, port: 0, dataDir: dir }),
      launchChromium(),
    ]);
    api = systemApi(system);
    const at = Date.now();
    for (let n = 0; n < PAYMENTS; n++) {
      const r = await api('/v1/score', {
        method: 'POST',
        body: JSON.stringify({
          transaction_id: txId(n),
          timestamp: new Date(at + n).toISOString(),
          customer_id: `c_e2e_bt_${tag}_${n % 3}`,
          terminal_id: `t_e2e_bt_${tag}`,
          amount: 100 * (n + 1),
          currency: 'EUR',
        }),
      });
      expect(r.status).toBe(200);
    }
    // The largest payment is a confirmed fraud.
    const fraud = txId(PAYMENTS - 1);
    await poll(
      `${fraud} stored`,
      async () => ((await api(`/api/transactions/${fraud}`)).status === 200 ? true : null),
      15_000,
    );
    const fb = await api('/v1/feedback', {
      method: 'POST',
      body: JSON.stringify({
        transaction_id: fraud,
        label: 'fraud',
        timestamp: new Date().toISOString(),
      }),
    });
    expect(fb.status).toBe(202);
    await poll(
      'every payment stored, the fraud labelled',
      async () => {
        for (let n = 0; n < PAYMENTS; n++) {
          const r = await api<TransactionDetail>(`/api/transactions/${txId(n)}`);
          if (r.status !== 200) return null;
          if (n === PAYMENTS - 1 && r.body.label !== 'fraud') return null;
        }
        return true;
      },
      15_000,
    );

    // A payment a built-in list rule declined: the backtest derives the model's own decision of
    // it from the thresholds in force for its model version, and names them.
    const blocked = `c_e2e_bt_${tag}_blocked`;
    const listed = await api('/api/lists/blocked_customers/items', {
      method: 'POST',
      body: JSON.stringify({ value: blocked, reason: 'e2e backtest' }),
    });
    expect(listed.status).toBe(201);
    let b = 0;
    const declined = await poll(
      'a payment of the blocked customer declined by the list rule',
      async () => {
        const r = await api<ScoreAnswer>('/v1/score', {
          method: 'POST',
          body: JSON.stringify({
            transaction_id: `${txId(0)}_blocked_${b++}`,
            timestamp: new Date().toISOString(),
            customer_id: blocked,
            terminal_id: `t_e2e_bt_${tag}`,
            amount: 50,
            currency: 'EUR',
          }),
        });
        expect(r.status).toBe(200);
        return r.body.decision === 'decline' && r.body.rules.length > 0 ? r.body : null;
      },
      15_000,
    );
    expect(declined.rules).toEqual([{ id: 'block_listed_customers', action: 'block' }]);
    blockedModel = declined.model_version;
    const declinedId = `${txId(0)}_blocked_${b - 1}`;
    await poll(
      `${declinedId} stored`,
      async () => ((await api(`/api/transactions/${declinedId}`)).status === 200 ? true : null),
      15_000,
    );

    ({ page, problems } = await signedInPage(browser, system.signInUrl));
  });

  afterAll(() => tearDown(browser, system, dir));

  it('backtests a rule as it is typed: the counts and the chart are the API’s', async () => {
    await page.getByTestId('nav-rules').click();
    await page.getByTestId('rule-row').first().waitFor();
    await backtestInEditor(ruleId, 'review');
    const backtest = page.getByTestId('backtest');
    const direct = await api<BacktestAnswer>('/api/rules/backtest', {
      method: 'POST',
      body: JSON.stringify({ expression, action: 'review' }),
    });
    expect(direct.status).toBe(200);
    const a = direct.body;
    // This test's payments are in the window, whatever else the system stored.
    expect(a.matched).toBeGreaterThanOrEqual(4);
    expect(a.matched_fraud).toBeGreaterThanOrEqual(1);
    expect(await count('backtest-evaluated')).toBe(a.evaluated);
    expect(await count('backtest-matched')).toBe(a.matched);
    expect(await count('backtest-matched-fraud')).toBe(a.matched_fraud);
    expect(await count('backtest-matched-legitimate')).toBe(a.matched_legitimate);
    expect(await count('backtest-matched-unlabelled')).toBe(a.matched_unlabelled);
    expect(await page.getByTestId('backtest-change').count()).toBe(a.decision_changes.length);
    expect(await page.getByTestId('backtest-example').count()).toBe(a.examples.length);
    expect(await page.getByTestId('backtest-lists-note').textContent()).toContain(
      'Lists as they are now',
    );
    // The thresholds the model decisions were derived with: the declined payment's model version,
    // with its own (none set yet), row for row as the API names them.
    expect(a.model_thresholds.find((m) => m.model_version === blockedModel)).toMatchObject({
      source: 'model',
    });
    expect(await modelThresholdRows()).toEqual(expectedRows(a));
    // The chart is drawn, and its text alternative gives the API's totals.
    await page.getByTestId('backtest-per-day').locator('canvas').waitFor();
    const summary = await page
      .getByTestId('backtest-per-day')
      .locator('[role="img"]')
      .getAttribute('aria-label');
    expect(summary).toContain(`${a.matched} matches`);
    expect(summary).toContain(`${a.matched_fraud} confirmed fraud`);
    // Frauds first: the fraud this test labelled leads the examples.
    expect(
      await page.getByTestId('backtest-example').first().getAttribute('data-transaction-id'),
    ).toBe(a.examples[0]!.transaction_id);
    expect(a.examples[0]!.label).toBe('fraud');

    // A narrower rule: the counts follow the typing.
    await page.getByTestId('rule-expression').fill('tx.amount > 1150.0');
    await expect.poll(() => count('backtest-matched')).toBeLessThan(a.matched);
    await expect.poll(() => backtest.getAttribute('data-state')).toBe('done');
    const narrower = await api<BacktestAnswer>('/api/rules/backtest', {
      method: 'POST',
      body: JSON.stringify({ expression: 'tx.amount > 1150.0', action: 'review' }),
    });
    expect(await count('backtest-matched')).toBe(narrower.body.matched);
    await page.getByTestId('rule-expression').fill(expression);
    await expect.poll(() => count('backtest-matched')).toBe(a.matched);
  });

  it('flags a bad expression in place and backtests nothing until it checks', async () => {
    const status = page.getByTestId('rule-expression-status');
    await page.getByTestId('rule-expression').fill('tx.amount > ');
    await expect.poll(() => status.getAttribute('data-state')).toBe('invalid');
    expect(await status.textContent()).toContain('at position 12');
    await expect.poll(() => page.getByTestId('backtest').getAttribute('data-state')).toBe('idle');
    await page.getByTestId('rule-expression').fill(expression);
    await expect.poll(() => page.getByTestId('backtest').getAttribute('data-state')).toBe('done');
  });

  it('opens an example in the transaction drawer', async () => {
    const first = page.getByTestId('backtest-example').first();
    const id = await first.getAttribute('data-transaction-id');
    await first.getByTestId('backtest-example-open').click();
    const drawer = page.getByTestId('transaction-drawer');
    await expect.poll(() => drawer.getAttribute('data-transaction-id')).toBe(id);
    await drawer.getByTestId('drawer-features').waitFor();
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    // The Rules page stays, the editor open.
    expect(page.url()).toBe(`${system.origin}/#/rules`);
    await page.getByTestId('rule-editor').waitFor();
  });

  it('publishes the rule as shadow; edited, its live shadow counts sit beside its backtest', async () => {
    await page.getByTestId('rule-save').click();
    const row = page.locator(`[data-testid="rule-row"][data-rule-id="${ruleId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-mode')).toBe('shadow');
    const rules = await api<{ rules: { id: string; mode: string; expression: string }[] }>(
      '/api/rules',
    );
    expect(rules.body.rules.find((r) => r.id === ruleId)).toMatchObject({
      mode: 'shadow',
      expression,
    });

    await row.getByTestId('rule-edit').click();
    const shadow = page.getByTestId('backtest-shadow');
    await shadow.waitFor();
    const direct = await api<BacktestAnswer>('/api/rules/backtest', {
      method: 'POST',
      body: JSON.stringify({ expression, action: 'review', rule_id: ruleId }),
    });
    expect(direct.body.shadow?.rule_id).toBe(ruleId);
    expect(Number(await page.getByTestId('backtest-shadow-matched').textContent())).toBe(
      direct.body.shadow?.matched,
    );
    await page.getByTestId('rule-cancel').click();
    await page.getByTestId('rule-editor').waitFor({ state: 'detached' });
  });

  it('previews thresholds as the review threshold moves, and applies them', async () => {
    // The edges report the model they serve in their rules sync: wait for one.
    const served = await poll(
      'a served model version',
      async () => {
        const r = await api<ThresholdsList>('/api/thresholds');
        return r.body.served[0] ?? null;
      },
      15_000,
    );
    await page.getByTestId('nav-thresholds').click();
    expect(page.url()).toBe(`${system.origin}/#/thresholds`);
    const model = page.getByTestId('thresholds-model');
    await expect.poll(() => model.getAttribute('data-model-version')).toBe(served.model_version);
    const preview = page.getByTestId('thresholds-preview');
    await expect.poll(() => preview.getAttribute('data-state')).toBe('done');
    await page.getByTestId('thresholds-histogram').locator('canvas').waitFor();

    // Review from everything at 0.0: every payment not declined goes to review.
    const review = page.getByTestId('thresholds-review-number');
    await review.fill('0');
    await review.dispatchEvent('change');
    const decline = served.in_force.decline;
    const expected = await api<ThresholdsPreview>('/api/thresholds/preview', {
      method: 'POST',
      body: JSON.stringify({ review: 0, decline, model_version: served.model_version }),
    });
    expect(expected.status).toBe(200);
    await expect
      .poll(() => count('thresholds-review-count-proposed'))
      .toBe(expected.body.proposed.review.count);
    await expect.poll(() => preview.getAttribute('data-state')).toBe('done');
    expect(await count('thresholds-approve-count-proposed')).toBe(
      expected.body.proposed.approve.count,
    );
    expect(await count('thresholds-caught-proposed')).toBe(expected.body.proposed.frauds_caught);
    expect(expected.body.proposed.approve.count).toBe(0);

    // Half the decline threshold (below it, as core's schema requires): apply it, asked first.
    const middling = Math.round(decline * 500) / 1000;
    await review.fill(String(middling));
    await review.dispatchEvent('change');
    await page.getByTestId('thresholds-apply').click();
    expect(await page.getByTestId('thresholds-apply-warning').textContent()).toContain(
      middling.toFixed(3),
    );
    await page.getByTestId('thresholds-apply-confirm').click();
    await page.getByTestId('thresholds-applied').waitFor();
    const after = await api<ThresholdsList>('/api/thresholds');
    expect(after.body.items.find((i) => i.model_version === served.model_version)).toMatchObject({
      review: middling,
      decline,
    });
    applied = { model_version: served.model_version, thresholds: { review: middling, decline } };
    await expect
      .poll(() => page.getByTestId('thresholds-in-force').textContent())
      .toContain(`review ≥ ${middling.toFixed(3)}`);
    // A review above the decline threshold is refused in place, and nothing can be applied.
    await review.fill('0.99');
    await review.dispatchEvent('change');
    expect(await page.getByTestId('thresholds-decline-error').textContent()).toContain('≥ review');
    expect(await page.getByTestId('thresholds-apply').isDisabled()).toBe(true);
  });

  it('backtests with the thresholds just applied: the panel names them as set', async () => {
    expect(applied, 'the thresholds step applied thresholds').toBeDefined();
    // The model the edges serve is the one whose payment the list rule declined.
    expect(applied!.model_version).toBe(blockedModel);
    await page.getByTestId('nav-rules').click();
    await page.getByTestId('rule-row').first().waitFor();
    await backtestInEditor(`${ruleId}_again`, 'review');
    const direct = await api<BacktestAnswer>('/api/rules/backtest', {
      method: 'POST',
      body: JSON.stringify({ expression, action: 'review' }),
    });
    expect(direct.status).toBe(200);
    expect(direct.body.model_thresholds.find((m) => m.model_version === blockedModel)).toEqual({
      model_version: blockedModel,
      thresholds: applied!.thresholds,
      source: 'set',
    });
    await expect.poll(modelThresholdRows).toEqual(expectedRows(direct.body));
    await page.getByTestId('rule-cancel').click();
    await page.getByTestId('rule-editor').waitFor({ state: 'detached' });
  });

  it('reported no problem in the page', () => {
    expect(problems.all()).toEqual([]);
  });
});
