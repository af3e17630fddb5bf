/**
 * The dashboard's screenshots in docs/screenshots/, taken from the whole system at work:
 *
 *   npx tsx web/e2e/screenshots.ts
 *
 * Starts the system (scripts/system.ts, edge in workerd, a throwaway data directory), signs in
 * with the one-time link in Debian's Chromium at 1440×900, injects the handbook's scenario 2
 * (compromised terminals: reviews and declines) and runs simulated traffic at 100/s for a minute so
 * the KPIs, charts, feed and case queue are populated; works two cases and injects scenario 1
 * (large amounts) halfway; then writes
 * dashboard.png (dark theme), drawer.png (a declined transaction open, its card then blocked from
 * the drawer; its case's Fraud / Legitimate buttons), workspace.png (the case queue, "Needs
 * review" by risk × amount, two cases ticked for a bulk resolve), search.png (the header search
 * offering matches for an id's beginning), rules.png (the Rules page, a rule in the editor),
 * rules-backtest.png (a rule's backtest as it is typed: counts, per-day chart, examples),
 * thresholds.png (the Thresholds page, the review threshold moved), lists.png (the Lists page),
 * models.png (the Models page: three registered models and the committed default, champion vs
 * challenger, the drift tile)
 * and light.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSystem } from '../../scripts/system.js';
import { otherBytes, registerBody, trainedTestModel } from '../../scripts/registry-test-models.js';
import { launchChromium, watchPage } from './chromium.js';
import { systemApi } from './helpers.js';

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const RATE = 100;
/** Long enough for a minute of the 5-minute charts to fill. */
const TRAFFIC_MS = 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-screenshots-'));
  const log = (line: string) => process.stderr.write(`screenshots: ${line}\n`);
  log('starting the system…');
  const system = await startSystem({ edge: 'workerd', env: {}, port: 0, dataDir: dir });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      colorScheme: 'dark',
    });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    const problems = watchPage(page);
    await page.goto(system.signInUrl);
    await page.locator('[data-testid="connection-state"][data-state="live"]').waitFor();
    // The link signs in unnamed: say who is working, as an analyst would.
    await page.getByTestId('name-prompt-input').fill('Ada Lovelace');
    await page.getByTestId('name-prompt-save').click();
    await page.getByTestId('name-prompt').waitFor({ state: 'detached' });

    log('injecting scenario 2 and starting traffic…');
    await page.getByTestId('inject-scenario-2').click();
    await page.getByTestId('traffic-notice').waitFor();
    await page.getByTestId('traffic-rate').fill(String(RATE));
    await page.getByTestId('traffic-start').click();
    await page.locator('[data-testid="traffic-state"][data-running="true"]').waitFor();
    await page.mouse.move(0, 0);
    await sleep(TRAFFIC_MS / 2);

    // Work two cases so the queue shows more than one status, and a second scenario (large
    // amounts) for more declines in the charts.
    await page.getByTestId('case-view').selectOption('open');
    const cases = page.getByTestId('case-row');
    await cases.nth(1).waitFor();
    await cases.nth(1).getByTestId('case-resolve-fraud').click();
    await cases.nth(0).getByTestId('case-assign').click();
    await page.getByTestId('inject-scenario-1').click();
    await page.mouse.move(0, 0);
    await sleep(TRAFFIC_MS / 2);
    await page.getByTestId('case-view').selectOption('all');
    await page.mouse.move(0, 0);
    // Charts redraw at most once a second and stats come every 2 s: let the last ones land.
    await sleep(2_500);

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(OUT, 'dashboard.png') });
    if (process.env.VIGIL_SCREENSHOT_FULL) {
      await page.screenshot({ path: process.env.VIGIL_SCREENSHOT_FULL, fullPage: true });
    }
    log('dashboard.png');

    // A declined transaction from the feed, reasons and features in the drawer.
    await page.getByTestId('feed-filter').selectOption('decline');
    await page.getByTestId('feed-row').first().click();
    const drawer = page.getByTestId('transaction-drawer');
    await drawer.getByTestId('drawer-features').waitFor();
    await page.mouse.move(0, 0);
    await sleep(500);
    await page.screenshot({ path: join(OUT, 'drawer.png') });
    log('drawer.png');
    // Its card on blocked_customers, so the Lists page has an item an analyst added — unless the
    // card is there already (a fraud of the injected scenario blocked it: the drawer then offers
    // Unblock instead).
    const block = drawer.getByTestId('list-action-block_card-run');
    if ((await block.count()) > 0) {
      await block.click();
      await drawer.getByTestId('list-action-block_card-result').waitFor();
    }
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    await page.getByTestId('feed-filter').selectOption('all');

    // The queue by priority, two cases ticked for a bulk resolve.
    await page.getByTestId('case-view').selectOption('review');
    await page.getByTestId('case-row').first().waitFor();
    await page.getByTestId('case-queue').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.getByTestId('case-select').nth(0).click();
    await page
      .getByTestId('case-select')
      .nth(1)
      .click({ modifiers: ['Shift'] });
    await page.mouse.move(0, 0);
    await sleep(500);
    await page.screenshot({ path: join(OUT, 'workspace.png') });
    log('workspace.png');
    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Clear' }).click();

    // Search: an id's beginning offers the matching transactions, cards and terminals.
    await page.evaluate(() => window.scrollTo(0, 0));
    const someId =
      (await page.getByTestId('case-transaction').first().getAttribute('data-transaction-id')) ??
      'tx';
    await page.keyboard.press('/');
    await page.getByTestId('search-input').pressSequentially(someId.slice(0, -2));
    await page.getByTestId('search-option').first().waitFor();
    await page.keyboard.press('ArrowDown');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(OUT, 'search.png') });
    log('search.png');
    await page.keyboard.press('Escape');

    // The Rules page with a rule being written (docs/rules.md's night-time example): checked as
    // typed, and the caret back inside `velocity.device_` shows the completions of that word.
    await page.getByTestId('nav-rules').click();
    await page.getByTestId('rule-row').first().waitFor();
    await page.getByTestId('rule-new').click();
    await page.getByTestId('rule-id').fill('night_new_device');
    await page.getByTestId('rule-name').fill('Night-time payment over €500 from a new device');
    const tail = 'tx_1h <= 1.0';
    const expression = page.getByTestId('rule-expression');
    await expression.fill(
      '(tx.hour >= 22 || tx.hour < 6) && tx.amount > 500.0 && has(tx.device_id)\n' +
        `  && velocity.customer_devices_30d >= 2.0 && velocity.device_${tail}`,
    );
    await page.locator('[data-testid="rule-expression-status"][data-state="valid"]').waitFor();
    await expression.press('End');
    for (let i = 0; i < tail.length; i++) await expression.press('ArrowLeft');
    await page.getByTestId('rule-completions').waitFor();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(OUT, 'rules.png') });
    log('rules.png');

    // The backtest of a rule that declines the riskier large payments, over the last 7 days,
    // shot taller so the chart and the examples show under the editor.
    await page.getByTestId('rule-id').fill('risky_large_amount');
    await page.getByTestId('rule-name').fill('Risky large amount');
    await page.getByTestId('rule-action').selectOption('block');
    await expression.fill('tx.amount > 100.0 && score > 0.1');
    await page.getByTestId('backtest-window').selectOption('7');
    await page.locator('[data-testid="backtest"][data-state="done"]').waitFor();
    await page.getByTestId('backtest-example').first().waitFor();
    await page.setViewportSize({ width: 1440, height: 1500 });
    await page.getByTestId('rule-expression').scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, -40));
    await page.mouse.move(0, 0);
    await sleep(500);
    await page.screenshot({ path: join(OUT, 'rules-backtest.png') });
    await page.setViewportSize({ width: 1440, height: 900 });
    log('rules-backtest.png');
    await page.getByTestId('rule-cancel').click();

    await page.getByTestId('nav-thresholds').click();
    await page.locator('[data-testid="thresholds-preview"][data-state="done"]').waitFor();
    // Review from a lower score than the model's own (which declines from about 0.27).
    const review = page.getByTestId('thresholds-review-number');
    await review.fill('0.03');
    await review.dispatchEvent('change');
    await page.locator('[data-testid="thresholds-preview"][data-state="done"]').waitFor();
    await page.mouse.move(0, 0);
    await sleep(500);
    await page.screenshot({ path: join(OUT, 'thresholds.png') });
    log('thresholds.png');

    await page.getByTestId('nav-lists').click();
    await page.locator('[data-testid="list-tab"][data-list="blocked_customers"]').click();
    await page.getByTestId('list-item').first().waitFor();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(OUT, 'lists.png') });
    log('lists.png');

    // The registry after the other pictures (a champion changes what the edge serves): two test
    // models and a retired one, champion and challenger compared.
    const api = systemApi(system);
    const versions = [
      'train-20260101-a1b2c3d4',
      'train-20260301-e5f6a7b8',
      'train-20251101-0c0d0e0f',
    ];
    for (const [i, v] of versions.entries()) {
      const m = await trainedTestModel(v);
      const body = JSON.stringify(registerBody(otherBytes(m.onnx, v), m.metadata));
      await api('/api/models', { method: 'POST', body });
      const action = ['promote', 'challenge', 'retire'][i]!;
      await api(`/api/models/${v}/${action}`, { method: 'POST' });
    }
    await page.getByTestId('nav-models').click();
    await page.getByTestId('compare-counts').waitFor();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(OUT, 'models.png') });
    log('models.png');
    await page.getByTestId('nav-overview').click();
    await page.getByTestId('feed-filter').waitFor();

    await page.getByTestId('theme-toggle').click();
    await page.mouse.move(0, 0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await sleep(2_500);
    await page.screenshot({ path: join(OUT, 'light.png') });
    log('light.png');

    await page.getByTestId('traffic-stop').click();
    await page.locator('[data-testid="traffic-state"][data-running="false"]').waitFor();
    const seen = problems.all();
    if (seen.length > 0) log(`the page reported problems:\n  ${seen.join('\n  ')}`);
    log(`wrote ${OUT}`);
  } finally {
    await browser.close();
    await system.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`screenshots: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
