/**
 * The Rules and Lists pages and the drawer's list buttons in Chromium against the whole system as
 * `npm start` runs it (edge in workerd, the backplane with embedded Postgres): write a rule, see a
 * bad expression flagged, restore the version before it (each change that acts asked first), add
 * and remove a list item, create a list, and block a card from the drawer — after which that card's
 * next payment is declined — then unblock it there, after which it is approved again. What
 * the page shows is checked against the analysts' API each time. The steps share one page and run
 * in order.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from '../../scripts/system.js';
import { launchChromium, type PageProblems } from './chromium.js';
import { poll, signedInPage, systemApi, tearDown, type ApiCall } from './helpers.js';

interface RulesAnswer {
  version: number;
  rules: { id: string; action: string; mode: string; expression: string }[];
}

describe('the Rules and Lists pages in Chromium against the whole system', () => {
  let system: RunningSystem;
  let dir: string;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;
  const tag = Date.now().toString(36);
  /** The ruleset version before this test's rule was created. */
  let versionBefore = 0;

  let api: ApiCall;

  const shownVersion = async (): Promise<number> =>
    Number(await page.getByTestId('ruleset-version').getAttribute('data-version'));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-rules-'));
    [system, browser] = await Promise.all([
      startSystem({ edge: 'workerd', env: {}, port: 0, dataDir: dir }),
      launchChromium(),
    ]);
    api = systemApi(system);
    ({ page, problems } = await signedInPage(browser, system.signInUrl));
  });

  afterAll(() => tearDown(browser, system, dir));

  it('shows the ruleset in force with its version, and creates a rule', async () => {
    await page.getByTestId('nav-rules').click();
    expect(page.url()).toBe(`${system.origin}/#/rules`);
    const before = await api<RulesAnswer>('/api/rules');
    versionBefore = before.body.version;
    await expect.poll(shownVersion).toBe(versionBefore);
    // The built-in rules are there, one row each.
    expect(await page.getByTestId('rule-row').count()).toBe(before.body.rules.length);

    const id = `e2e_big_${tag}`;
    await page.getByTestId('rule-new').click();
    await page.getByTestId('rule-id').fill(id);
    await page.getByTestId('rule-name').fill('Very large amount');
    await page.getByTestId('rule-action').selectOption('review');
    // Typing offers the names a rule can use; Tab takes the first.
    const expression = page.getByTestId('rule-expression');
    await expression.pressSequentially('tx.amo');
    await page.getByTestId('rule-completions').getByText('tx.amount').waitFor();
    await expression.press('Tab');
    await expression.pressSequentially(' > 50000.0');
    expect(await expression.inputValue()).toBe('tx.amount > 50000.0');
    await page.getByTestId('rule-save').click();

    const row = page.locator(`[data-testid="rule-row"][data-rule-id="${id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-mode')).toBe('shadow');
    await expect.poll(shownVersion).toBe(versionBefore + 1);
    const after = await api<RulesAnswer>('/api/rules');
    expect(after.body.version).toBe(versionBefore + 1);
    expect(after.body.rules.find((r) => r.id === id)).toMatchObject({
      action: 'review',
      mode: 'shadow',
      expression: 'tx.amount > 50000.0',
    });

    // The mode switch to active is asked first (it decides payments); Keep changes nothing.
    await row.getByTestId('rule-mode').selectOption('active');
    expect(await row.getByTestId('rule-mode-warning').textContent()).toContain('send to review');
    await row.getByTestId('rule-confirm-cancel').click();
    expect(await row.getByTestId('rule-mode').inputValue()).toBe('shadow');
    expect(await shownVersion()).toBe(versionBefore + 1);
    // Confirmed: active now, a version more.
    await row.getByTestId('rule-mode').selectOption('active');
    await row.getByTestId('rule-mode-confirm').click();
    await expect.poll(shownVersion).toBe(versionBefore + 2);
    const switched = await api<RulesAnswer>('/api/rules');
    expect(switched.body.rules.find((r) => r.id === id)?.mode).toBe('active');
  });

  it('flags a bad expression as it is typed, and stores nothing', async () => {
    const version = await shownVersion();
    await page.getByTestId('rule-new').click();
    await page.getByTestId('rule-id').fill(`e2e_bad_${tag}`);
    await page.getByTestId('rule-name').fill('Bad');
    const expression = page.getByTestId('rule-expression');
    const status = page.getByTestId('rule-expression-status');
    // Flagged before any save: core's checker runs in the page.
    await expression.fill('in_list("no_such_list", tx.customer_id)');
    await expect.poll(() => status.getAttribute('data-state')).toBe('invalid');
    expect(await status.textContent()).toContain('no_such_list');
    await expression.fill('tx.amount > 100.0');
    await expect.poll(() => status.getAttribute('data-state')).toBe('valid');
    await expression.fill('tx.amount > "many"');
    await expect.poll(() => status.getAttribute('data-state')).toBe('invalid');
    // Save sends nothing while the expression is refused; the editor stays open to fix it.
    await page.getByTestId('rule-save').click();
    expect(await status.getAttribute('data-state')).toBe('invalid');
    expect(await page.getByTestId('rule-editor').count()).toBe(1);
    const now = await api<RulesAnswer>('/api/rules');
    expect(now.body.version).toBe(version);
    expect(now.body.rules.some((r) => r.id === `e2e_bad_${tag}`)).toBe(false);
    // Two actions, two outcomes: Save as shadow, or Publish active — asked first in place of the
    // buttons, one "Publish active" on the form, never a copy beside a disabled one.
    await expression.fill('tx.amount > 100.0');
    await expect.poll(() => status.getAttribute('data-state')).toBe('valid');
    const form = page.getByTestId('rule-editor');
    expect(
      await form.getByRole('button', { name: /^(Save|Create|Publish)/ }).allTextContents(),
    ).toEqual(['Save as shadow', 'Publish active…']);
    await page.getByTestId('rule-publish-active').click();
    expect(await page.getByTestId('rule-publish-active-warning').textContent()).toContain(
      'every payment it matches',
    );
    expect(
      await form.getByRole('button', { name: /^(Save|Create|Publish)/ }).allTextContents(),
    ).toEqual(['Publish active']);
    await page.getByTestId('rule-publish-active-keep').click();
    expect(await page.getByTestId('rule-publish-active').isEnabled()).toBe(true);
    expect((await api<RulesAnswer>('/api/rules')).body.version).toBe(version);
    await page.getByTestId('rule-cancel').click();
    await page.getByTestId('rule-editor').waitFor({ state: 'detached' });
  });

  it('warns that a built-in rule is built in before deleting it, and Keep keeps it', async () => {
    const version = await shownVersion();
    const row = page.locator('[data-testid="rule-row"][data-rule-id="block_listed_customers"]');
    await row.getByTestId('rule-delete').click();
    expect(await row.getByTestId('rule-delete-built-in').textContent()).toContain('disabled');
    await row.getByTestId('rule-delete-confirm').waitFor();
    await row.getByTestId('rule-confirm-cancel').click();
    await row.getByTestId('rule-delete').waitFor();
    expect(await shownVersion()).toBe(version);
  });

  it('restores the version before the new rule: a new version without it', async () => {
    const current = await shownVersion();
    const row = page.locator(`[data-testid="rule-version"][data-version="${versionBefore}"]`);
    await row.getByTestId('rule-version-restore').click();
    // Asked first, as Delete is.
    expect(await shownVersion()).toBe(current);
    await row.getByTestId('rule-version-restore-confirm').click();
    await expect.poll(shownVersion).toBe(current + 1);
    await page
      .locator(`[data-testid="rule-row"][data-rule-id="e2e_big_${tag}"]`)
      .waitFor({ state: 'detached' });
    const restored = await api<RulesAnswer>('/api/rules');
    expect(restored.body.version).toBe(current + 1);
    expect(restored.body.rules.some((r) => r.id === `e2e_big_${tag}`)).toBe(false);
    // The restore is itself a version, listed first.
    const first = page.getByTestId('rule-version').first();
    expect(await first.getAttribute('data-version')).toBe(String(current + 1));
  });

  it('adds an item to a list with an expiry, and removes it', async () => {
    await page.getByTestId('nav-lists').click();
    const tab = page.locator('[data-testid="list-tab"][data-list="blocked_terminals"]');
    await tab.click();
    const items = page.locator('[data-testid="list-items"][data-list="blocked_terminals"]');
    await items.waitFor();
    const size = Number(await tab.getAttribute('data-size'));
    const value = `t_e2e_${tag}`;
    await page.getByTestId('list-add-value').fill(value);
    await page.getByTestId('list-add-reason').fill('skimmer found');
    await page.getByTestId('list-add-expiry').selectOption('7d');
    await page.getByTestId('list-add-submit').click();

    const row = items.locator(`[data-testid="list-item"][data-value="${value}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('skimmer found');
    expect(await row.getByTestId('list-item-expiry').textContent()).not.toBe('never');
    await expect.poll(() => tab.getAttribute('data-size')).toBe(String(size + 1));
    const stored = await api<{ items: { value: string; reason: string; expires_at: string }[] }>(
      `/api/lists/blocked_terminals/items?value=${value}`,
    );
    expect(stored.body.items).toHaveLength(1);
    expect(stored.body.items[0]!.reason).toBe('skimmer found');
    const days = (Date.parse(stored.body.items[0]!.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);

    await row.getByTestId('list-item-remove').click();
    await row.waitFor({ state: 'detached' });
    await expect.poll(() => tab.getAttribute('data-size')).toBe(String(size));
    const gone = await api<{ items: unknown[] }>(
      `/api/lists/blocked_terminals/items?value=${value}`,
    );
    expect(gone.body.items).toEqual([]);
  });

  it('creates a list, which opens empty and is known to the API', async () => {
    const name = `e2e_devices_${tag}`;
    await page.getByTestId('list-new').click();
    await page.getByTestId('list-new-name').fill(name);
    await page.getByTestId('list-new-kind').selectOption('device_id');
    await page.getByTestId('list-new-description').fill('devices of a fraud ring');
    await page.getByTestId('list-new-submit').click();
    const items = page.locator(`[data-testid="list-items"][data-list="${name}"]`);
    await items.waitFor();
    // The items load after the list opens ("Loading…" first): wait for the empty state itself.
    await items.getByText('No items on this list.').waitFor();
    const tab = page.locator(`[data-testid="list-tab"][data-list="${name}"]`);
    expect(await tab.getAttribute('aria-selected')).toBe('true');
    const lists = await api<{ lists: { name: string; kind: string; size: number }[] }>(
      '/api/lists',
    );
    expect(lists.body.lists.find((l) => l.name === name)).toMatchObject({
      kind: 'device_id',
      size: 0,
    });
  });

  it('blocks a card from the drawer (its next payment is declined), and unblocks it', async () => {
    const customer = `c_e2e_${tag}`;
    const score = (n: number) =>
      api<{ decision: string; rules?: { id: string; action: string }[] }>('/v1/score', {
        method: 'POST',
        body: JSON.stringify({
          transaction_id: `tx_e2e_block_${tag}_${n}`,
          timestamp: new Date().toISOString(),
          customer_id: customer,
          terminal_id: `t_e2e_block_${tag}`,
          amount: 12.5,
          currency: 'EUR',
        }),
      });
    const first = await score(0);
    expect(first.status).toBe(200);
    expect(first.body.decision).toBe('approve');
    const id = `tx_e2e_block_${tag}_0`;
    await poll(
      `${id} in the API`,
      async () => ((await api(`/api/transactions/${id}`)).status === 200 ? true : null),
      10_000,
    );

    await page.getByTestId('nav-overview').click();
    await page.evaluate((h) => (location.hash = h), `tx=${id}`);
    const drawer = page.getByTestId('transaction-drawer');
    const block = drawer.getByTestId('list-action-block_card');
    await expect.poll(() => block.getAttribute('data-on-list')).toBe('false');
    await drawer.getByTestId('list-action-block_card-expiry').selectOption('1d');
    await drawer.getByTestId('list-action-block_card-run').click();
    const result = drawer.getByTestId('list-action-block_card-result');
    await result.waitFor();
    expect(await result.getAttribute('data-ok')).toBe('true');
    expect(await block.getAttribute('data-on-list')).toBe('true');
    // In the button's place: blocked, until when (1 day), and the way back.
    const blockedFor = drawer.getByTestId('list-action-block_card-membership');
    expect(await blockedFor.textContent()).toMatch(/^Blocked until \d{4}-\d\d-\d\d /);
    await drawer.getByTestId('list-action-block_card-undo').waitFor();
    const stored = await api<{ items: { value: string; added_by: string }[] }>(
      `/api/lists/blocked_customers/items?value=${customer}`,
    );
    expect(stored.body.items.map((i) => i.value)).toEqual([customer]);

    // Every edge applies list changes within 5 s: the card's next payment is declined by the
    // built-in rule that reads blocked_customers.
    let n = 1;
    /** The card's payments, one after another, until one is decided `decision`. */
    const scoredUntil = (decision: string) =>
      poll(
        `a payment from the card decided ${decision}`,
        async () => {
          const r = await score(n++);
          return r.body.decision === decision ? r.body : null;
        },
        10_000,
      );
    const declined = await scoredUntil('decline');
    expect(declined.rules).toEqual([{ id: 'block_listed_customers', action: 'block' }]);

    // The drawer shows the rule that decided it.
    const declinedId = `tx_e2e_block_${tag}_${n - 1}`;
    await poll(
      `${declinedId} in the API`,
      async () => ((await api(`/api/transactions/${declinedId}`)).status === 200 ? true : null),
      10_000,
    );
    await page.evaluate((h) => (location.hash = h), `tx=${declinedId}`);
    await expect.poll(() => drawer.getAttribute('data-transaction-id')).toBe(declinedId);
    const rule = drawer.locator('[data-testid="drawer-rule"]');
    await rule.first().waitFor();
    expect(await rule.count()).toBe(1);
    expect(await rule.getAttribute('data-rule-id')).toBe('block_listed_customers');
    expect(await rule.textContent()).toContain('decided');
    await expect.poll(() => block.getAttribute('data-on-list')).toBe('true');

    // Allowing the blocked card is asked first (an allow outranks the block); Cancel adds nothing.
    await drawer.getByTestId('list-action-allow_card-run').click();
    const warning = drawer.getByTestId('list-action-allow_card-warning');
    expect(await warning.textContent()).toContain('outranks the block');
    await warning.getByRole('button', { name: 'Cancel' }).click();
    await warning.waitFor({ state: 'detached' });
    const allowed = await api<{ items: unknown[] }>(
      `/api/lists/allowed_customers/items?value=${customer}`,
    );
    expect(allowed.body.items).toEqual([]);

    // Unblock from the drawer: off the list, and the card's next payment is approved again.
    await drawer.getByTestId('list-action-block_card-undo').click();
    await expect.poll(() => block.getAttribute('data-on-list')).toBe('false');
    expect(await drawer.getByTestId('list-action-block_card-run').textContent()).toBe(
      'Block this card',
    );
    const unblocked = await api<{ items: unknown[] }>(
      `/api/lists/blocked_customers/items?value=${customer}`,
    );
    expect(unblocked.body.items).toEqual([]);
    const approved = await scoredUntil('approve');
    expect(approved.rules ?? []).toEqual([]);
    await page.keyboard.press('Escape');
  });

  it('had no console error, uncaught exception or failed request on the page all along', () => {
    // The bad expression never left the page: no 400 either.
    expect(problems.all()).toEqual([]);
  });
});
