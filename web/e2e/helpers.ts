/**
 * What the browser tests share besides Chromium: waiting for what the system does asynchronously
 * (no timed assertions), and calling its APIs as a program does.
 */
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { RunningSystem } from '../../scripts/system.js';
import { watchPage, type PageProblems } from './chromium.js';

/** Polls `f` until it returns a value other than null, or fails after `timeoutMs`. */
export async function poll<T>(
  what: string,
  f: () => Promise<T | null>,
  timeoutMs: number,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== null) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A JSON call to the system's scoring or analysts' API. */
export type ApiCall = <T>(path: string, init?: RequestInit) => Promise<{ status: number; body: T }>;

/** Calls the scoring and analysts' APIs with the bearer key, as a program calls them. */
export function systemApi(system: Pick<RunningSystem, 'origin' | 'apiKey'>): ApiCall {
  return async <T>(path: string, init: RequestInit = {}) => {
    const r = await fetch(`${system.origin}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${system.apiKey}`,
        'content-type': 'application/json',
        ...init.headers,
      },
    });
    return { status: r.status, body: (await r.json()) as T };
  };
}

/** A 1440×900 page in a new context (15 s default timeout), its problems recorded, signed in. */
export async function signedInPage(
  browser: Browser,
  signInUrl: string,
): Promise<{ page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(signInUrl);
  await page.getByTestId('session-subject').waitFor();
  return { page, problems };
}

/** Closes the browser and the system and removes the data directory, whatever started. */
export async function tearDown(
  browser: Browser | undefined,
  system: RunningSystem | undefined,
  dir: string | undefined,
): Promise<void> {
  await browser?.close();
  await system?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
