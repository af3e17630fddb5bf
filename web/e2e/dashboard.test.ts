/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against the whole
 * system as `npm start` runs it (scripts/system.ts: edge + LiveHub in workerd, the backplane with
 * embedded Postgres, the dashboard), at one origin. An analyst's day in one file: sign in with the
 * one-time link, start traffic and watch decisions stream in, open one, resolve a case as fraud and
 * see the verdict applied at the edge, land in Postgres and raise the terminal's risk there, work the feed from
 * the keyboard, stop the traffic — with no console error, uncaught exception or failed request
 * on the page for the whole run. The steps share one page and run in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from '../../scripts/system.js';
import { launchChromium, watchPage, type PageProblems } from './chromium.js';
import { poll, systemApi, type ApiCall } from './helpers.js';

const DAY_MS = 86_400_000;

/**
 * The feedback rows of one transaction, read from Postgres directly. The embedded database is
 * PGlite behind pglite-socket, which interleaves the extended-protocol messages of concurrent
 * connections (Parse/Bind/Execute from the backplane and from us): one simple-protocol query, asked
 * once the row is known to be there, keeps out of the backplane's way; a collision is retried.
 */
async function feedbackRows(
  databaseUrl: string,
  transactionId: string,
): Promise<{ source: string; label: string }[]> {
  // Transaction ids are [A-Za-z0-9._:-] (the API refuses anything else): safe to inline.
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(transactionId)) throw new Error(`bad id ${transactionId}`);
  const sql = postgres(databaseUrl, { max: 1 });
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const rows = await sql.unsafe<{ source: string; label: string }[]>(
          `SELECT source, label FROM feedback WHERE transaction_id = '${transactionId}'`,
        );
        return rows.map((r) => ({ source: r.source, label: r.label }));
      } catch (e) {
        // 34000 / 26000: a portal or statement of the other connection's went missing.
        const code = (e as { code?: string }).code;
        if (attempt >= 5 || (code !== '34000' && code !== '26000')) throw e;
      }
    }
  } finally {
    await sql.end();
  }
}

/** Decisions the page's feed holds (the list in the DOM is virtualised: ~25 rows at most). */
const heldRows = (page: Page): Promise<number> => page.evaluate(() => window.__vigilPerf!.rows());

describe('the dashboard in Chromium against the whole system (edge in workerd)', () => {
  let system: RunningSystem;
  let dir: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: PageProblems;
  /** Today's flagged transaction the drawer step opened: its case opened, for the later steps. */
  let flagged: string | null = null;

  /** The scoring and analysts' APIs with the bearer key, as a program calls them. */
  let api: ApiCall;

  /**
   * Scores a payment at `terminalId` now and returns the terminal_risk_7d_delay7 feature it was
   * scored with (read back from the analysts' API).
   */
  const riskNow = async (terminalId: string, tag: string): Promise<number | undefined> => {
    const id = `tx_e2e_${tag}_${Date.now()}`;
    const scored = await api('/v1/score', {
      method: 'POST',
      body: JSON.stringify({
        transaction_id: id,
        timestamp: new Date().toISOString(),
        customer_id: `c_e2e_${tag}`,
        terminal_id: terminalId,
        amount: 42.5,
        currency: 'EUR',
      }),
    });
    expect(scored.status).toBe(200);
    const detail = await poll(
      `${id} in the API`,
      async () => {
        const r = await api<{ features: Record<string, number> }>(`/api/transactions/${id}`);
        return r.status === 200 ? r.body : null;
      },
      10_000,
    );
    return detail.features.terminal_risk_7d_delay7;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
    [system, browser] = await Promise.all([
      startSystem({ edge: 'workerd', env: {}, port: 0, dataDir: dir }),
      launchChromium(),
    ]);
    api = systemApi(system);
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    problems = watchPage(page);
  });

  afterAll(async () => {
    // Traffic must not outlive the test whatever failed (the system stops it on close too).
    if (system) await api('/api/traffic', { method: 'POST', body: '{"running":false}' });
    await browser?.close();
    await system?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('signs in with the one-time link and strips the token from the address bar', async () => {
    const response = await page.goto(system.signInUrl);
    // The page runs under the backplane's CSP (a violation would be a console error, checked at
    // the end) and sends no Referer that could carry the token.
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['referrer-policy']).toBe('no-referrer');
    await page.getByTestId('session-subject').waitFor();
    expect(page.url()).toBe(`${system.origin}/`);
    expect(await page.getByTestId('sign-in-form').count()).toBe(0);
    await expect
      .poll(() => page.getByTestId('connection-state').getAttribute('data-state'), {
        timeout: 15_000,
      })
      .toBe('live');
  });

  it('streams decisions into the live feed within 10 s of starting traffic', async () => {
    const before = await heldRows(page);
    await page.getByTestId('traffic-rate').fill('50');
    await page.getByTestId('traffic-start').click();
    const started = Date.now();
    await expect
      .poll(() => page.getByTestId('traffic-state').getAttribute('data-running'))
      .toBe('true');
    // Decisions arrive through edge → backplane → log → Postgres → LiveHub → socket → feed.
    const first = await poll(
      'a decision in the feed',
      async () => {
        const n = await page.getByTestId('feed-row').count();
        return n > 0 ? n : null;
      },
      10_000,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(first).toBeGreaterThan(0);
    // And keeps streaming: the feed grows while the connection stays live.
    const held = await poll(
      'the feed to grow',
      async () => {
        const n = await heldRows(page);
        return n >= before + 50 ? n : null;
      },
      10_000,
    );
    expect(held).toBeGreaterThanOrEqual(before + 50);
    expect(await page.getByTestId('connection-state').getAttribute('data-state')).toBe('live');
    // The list is virtualised: the rows in the DOM stay bounded however many are held.
    const inDom = await page.getByTestId('feed-row').count();
    expect(inDom).toBeGreaterThanOrEqual(first);
    expect(inDom).toBeLessThan(60);
  });

  it('opens a flagged transaction from the feed: the drawer shows its reasons and features', async () => {
    // A fraud-like payment (a large amount) is reviewed or declined, which opens a case.
    let sent: { id: string; decision: string } | null = null;
    const answer = page.getByTestId('send-answer');
    const answerId = async (): Promise<string | null> =>
      (await answer.count()) > 0 ? (await answer.locator('a').first().textContent())!.trim() : null;
    for (let attempt = 0; attempt < 5 && !sent; attempt++) {
      const previous = await answerId();
      await page.getByTestId('send-fraud').click();
      await expect.poll(answerId).not.toBe(previous);
      const id = (await answerId())!;
      const decision = (await answer.getAttribute('data-decision'))!;
      if (decision !== 'approve') sent = { id, decision };
    }
    expect(sent, 'a fraud-like transaction was flagged').not.toBeNull();
    const { id } = sent!;

    // Flagged only, so the row stays in view while approvals stream past.
    await page.getByTestId('feed-filter').selectOption('flagged');
    const row = page.locator(`[data-testid="feed-row"][data-transaction-id="${id}"]`);
    await row.click();
    const drawer = page.getByTestId('transaction-drawer');
    await drawer.waitFor();
    expect(await drawer.getAttribute('data-transaction-id')).toBe(id);
    expect(page.url()).toContain(encodeURIComponent(id));
    const reasons = drawer.getByTestId('drawer-reasons').locator('li');
    await reasons.first().waitFor();
    expect(await reasons.count()).toBeGreaterThan(0);
    const features = drawer.getByTestId('drawer-features').locator('tbody tr');
    expect(await features.count()).toBeGreaterThan(10);
    // The reasons' features are marked in the table.
    expect(
      await drawer.getByTestId('drawer-features').locator('tr[data-reason="true"]').count(),
    ).toBe(await reasons.count());
    await drawer.getByTestId('drawer-close').click();
    await drawer.waitFor({ state: 'detached' });
    await page.getByTestId('feed-filter').selectOption('all');
    await page.mouse.move(0, 0);

    const detail = await api<{ case_id: string | null }>(`/api/transactions/${id}`);
    expect(detail.body.case_id).toBe(`case_${id}`);
    flagged = id;
  });

  it("resolves the case as fraud: the verdict lands in Postgres and raises the terminal's risk", async () => {
    expect(flagged, 'the previous step found a flagged transaction').not.toBeNull();
    // Terminal risk reads the 30 days that end 7 days back (labels arrive late), so the case
    // resolved here is a week old: a fraud-like payment of 8 days ago at a terminal of its own,
    // as an analyst working the backlog finds it. The flagged payment of today stays open.
    const tag = Date.now().toString(36);
    const transactionId = `tx_e2e_old_${tag}`;
    const terminalId = `t_e2e_old_${tag}`;
    const old = await api<{ decision: string }>('/v1/score', {
      method: 'POST',
      body: JSON.stringify({
        transaction_id: transactionId,
        timestamp: new Date(Date.now() - 8 * DAY_MS).toISOString(),
        customer_id: `c_e2e_old_${tag}`,
        terminal_id: terminalId,
        amount: 2_500,
        currency: 'EUR',
      }),
    });
    expect(old.status).toBe(200);
    expect(old.body.decision, 'a fraud-like payment is flagged').not.toBe('approve');
    const caseId = `case_${transactionId}`;

    // The case opened after the queue loaded: refresh shows it (in "All unresolved": it may be
    // a decline, which "Needs review" leaves to its own view).
    await page.getByTestId('case-view').selectOption('open');
    const row = page.locator(`[data-testid="case-row"][data-case-id="${caseId}"]`);
    await poll(
      'the case in the queue',
      async () => {
        if ((await row.count()) > 0) return true;
        await page.getByTestId('cases-refresh').click();
        return null;
      },
      10_000,
    );
    await row.getByTestId('case-resolve-fraud').click();
    // Resolved cases leave the "open" view; the "all" view shows the outcome.
    await page.getByTestId('case-view').selectOption('all');
    await expect.poll(() => row.getAttribute('data-status')).toBe('resolved');
    expect(await row.getByTestId('case-status').textContent()).toContain('fraud');
    // Not a silent "Resolved": the row says the edge has applied the verdict.
    const delivery = row.getByTestId('verdict-delivery');
    await expect.poll(() => delivery.getAttribute('data-state')).toBe('applied');
    expect(await delivery.textContent()).toBe('Applied at the edge');

    // The API shows the verdict once the consumer has written it; then Postgres itself is asked.
    await poll(
      'the verdict in the API',
      async () => {
        const r = await api<{ feedback: unknown[] }>(`/api/transactions/${transactionId}`);
        return r.body.feedback.length > 0 ? true : null;
      },
      10_000,
    );
    expect(await feedbackRows(system.backplane.databaseUrl, transactionId)).toEqual([
      { source: 'analyst', label: 'fraud' },
    ]);

    // The label counts on the transaction's own day, 8 days ago: inside the window a payment
    // today reads, so that terminal's risk is up. The control: a terminal of today's traffic
    // without a verdict stays at zero.
    const control = await api<{ items: { terminal_id: string; timestamp: string }[] }>(
      '/api/transactions?decision=approve&label=none&limit=20',
    );
    const other = control.body.items.find((t) => t.terminal_id !== terminalId);
    expect(other, 'an approved transaction at another terminal').toBeDefined();
    const [risky, calm] = await Promise.all([
      riskNow(terminalId, 'after'),
      riskNow(other!.terminal_id, 'control'),
    ]);
    expect(risky).toBeGreaterThan(0);
    expect(calm).toBe(0);
  });

  it('works from the keyboard: Tab reaches the feed, Enter opens the drawer, Escape closes it', async () => {
    await page.mouse.move(0, 0);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.locator('body').focus();
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(
        () => document.activeElement?.getAttribute('data-testid') === 'feed-row',
      );
    }
    expect(reached, 'Tab reaches a row of the live feed').toBe(true);
    // Focus holds the feed still, so the focused row stays the one Enter opens.
    const focusedId = (): Promise<string | null> =>
      page.evaluate(() => document.activeElement?.getAttribute('data-transaction-id') ?? null);
    const id = await focusedId();
    expect(id).not.toBeNull();
    // Arrow keys move between rows (the next row takes focus on the next frame).
    await page.keyboard.press('ArrowDown');
    await expect.poll(focusedId).not.toBe(id);
    const next = await focusedId();
    expect(next).not.toBeNull();
    await page.keyboard.press('Enter');
    const drawer = page.getByTestId('transaction-drawer');
    await drawer.waitFor();
    expect(await drawer.getAttribute('data-transaction-id')).toBe(next);
    await drawer.getByTestId('drawer-features').waitFor();
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    // Focus returns to the row it came from, still showing the same transaction: the feed held
    // still while the drawer was open, though decisions kept arriving.
    await expect.poll(focusedId).toBe(next);
  });

  it('refuses a second use of the sign-in link and shows the sign-in form', async () => {
    const other = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      const second = await other.newPage();
      const seen = watchPage(second);
      await second.goto(system.signInUrl);
      await second.getByTestId('sign-in-form').waitFor();
      expect(await second.getByTestId('sign-in-error').textContent()).toMatch(/already used/);
      expect(second.url()).toBe(`${system.origin}/`);
      expect(await second.getByTestId('connection-state').count()).toBe(0);
      // The refused token is the one expected failure on that page.
      expect(seen.errorResponses).toEqual([`401 POST ${system.origin}/api/session`]);
      // Chromium logs the refused request: proof the console is watched (the main page has none).
      expect(seen.console).toEqual([expect.stringMatching(/status of 401/)]);
      expect(seen.pageErrors).toEqual([]);
      expect(seen.failedRequests).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('stops the traffic', async () => {
    await page.mouse.move(0, 0);
    await page.getByTestId('traffic-stop').click();
    await expect
      .poll(() => page.getByTestId('traffic-state').getAttribute('data-running'))
      .toBe('false');
    const state = await api<{ running: boolean; sent: number; errors: number }>('/api/traffic');
    expect(state.body.running).toBe(false);
    expect(state.body.sent).toBeGreaterThan(100);
    expect(state.body.errors).toBe(0);
  });

  it('had no console error, uncaught exception or failed request on the page all along', () => {
    expect(problems.all()).toEqual([]);
  });
});
