/**
 * Debian's Chromium driven by playwright-core, for the browser tests, the screenshots and the
 * dashboard benchmark: one launch recipe and one record of what went wrong on a page. Never a
 * downloaded browser: `bash scripts/services/chromium.sh install` provides /usr/bin/chromium.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The browser binary (VIGIL_CHROMIUM overrides it, as in scripts/services/chromium.sh). */
export const CHROMIUM_PATH = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';

/** Headless, no sandbox (tests run as root), nothing phoning home. */
const ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium with a fresh temporary profile; throws naming the fix when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: run \`bash scripts/services/chromium.sh install\` ` +
        "(Debian's chromium package; a downloaded browser is never used)",
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}

/** What went wrong on a page: console errors, uncaught exceptions, failed requests. */
export interface PageProblems {
  readonly console: string[];
  readonly pageErrors: string[];
  readonly failedRequests: string[];
  /** Responses with status ≥ 400, as "STATUS METHOD URL". */
  readonly errorResponses: string[];
  /** Everything, one line each, for an assertion message. */
  all(): string[];
}

/**
 * Records a page's problems from now on. A request the page itself cancelled (`net::ERR_ABORTED`:
 * the drawer aborts a fetch when another transaction opens, navigation cancels the rest) is not a
 * failure; every other failed request is.
 */
export function watchPage(page: Page): PageProblems {
  const p = {
    console: [] as string[],
    pageErrors: [] as string[],
    failedRequests: [] as string[],
    errorResponses: [] as string[],
    all(): string[] {
      return [
        ...p.console.map((m) => `console: ${m}`),
        ...p.pageErrors.map((m) => `pageerror: ${m}`),
        ...p.failedRequests.map((m) => `request failed: ${m}`),
        ...p.errorResponses.map((m) => `response: ${m}`),
      ];
    },
  };
  page.on('console', (m) => {
    if (m.type() === 'error') {
      const at = m.location();
      p.console.push(`${m.text()}${at.url ? ` (${at.url}:${at.lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (e) => p.pageErrors.push(e.stack ?? e.message));
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? 'unknown';
    if (why !== 'net::ERR_ABORTED') p.failedRequests.push(`${r.method()} ${r.url()}: ${why}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400)
      p.errorResponses.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  return p;
}
