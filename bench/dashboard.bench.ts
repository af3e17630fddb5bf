/**
 * The dashboard keeps up: Debian's Chromium (playwright-core, headless) signed in to the whole
 * system (scripts/system.ts, edge in workerd), its live feed fed 2,000 decisions/s for 10 s through
 * `window.__vigilPerf.inject` — synthetic hub frames parsed by the socket's parser and handed to
 * the feed store's `ingest`, the same path as real frames — with the pointer off the feed.
 *
 * Measured, the same way under load and on the idle page (signed in, connected, no traffic: the
 * baseline, in the same run): requestAnimationFrame intervals (`__vigilPerf.measureFrames`), and
 * input responsiveness — from a real click on a feed row (CDP mouse events; the pointerup's
 * timestamp) to the first frame painted with the transaction drawer open.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { FrameTimes, InjectResult } from '../web/src/perf/feed-load.js';
import { startSystem } from '../scripts/system.js';
import { launchChromium } from '../web/e2e/chromium.js';
import { fmt, fmtInt, percentile, table } from './stats.js';

const RATE = 2_000;
const SECONDS = 10;
const CLICKS = 9;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Counters {
  readonly flushes: number;
  readonly events: number;
  readonly dropped: number;
}

interface LoadRun {
  readonly frames: FrameTimes;
  readonly inject: InjectResult;
  readonly applied: Counters;
  readonly rows: number;
}

/** Frame times for SECONDS while `rate` decisions/s are injected (0: the idle page). */
function measure(page: Page, rate: number): Promise<LoadRun> {
  return page.evaluate(
    async ({ rate, seconds }) => {
      const perf = window.__vigilPerf!;
      const before = perf.counters();
      const injecting =
        rate > 0
          ? perf.inject(rate * seconds, rate)
          : Promise.resolve({ sent: 0, elapsedMs: 0, frames: 0 });
      const frames = await perf.measureFrames(seconds * 1000);
      const inject = await injecting;
      // Let the last queued frame apply before counting.
      await new Promise((r) => setTimeout(r, 200));
      const after = perf.counters();
      return {
        frames,
        inject,
        applied: {
          flushes: after.flushes - before.flushes,
          events: after.events - before.events,
          dropped: after.dropped - before.dropped,
        },
        rows: perf.rows(),
      };
    },
    { rate, seconds: SECONDS },
  );
}

/**
 * Records, for the next click, the time from its pointerup (the input's own timestamp, so time
 * spent queued behind a busy main thread counts; the click, and the drawer, follow the release)
 * to the first frame painted with the drawer open. The observer exists only between pointerup and
 * the drawer, so it costs nothing under load.
 * (No named function inside page functions: tsx would wrap it in a `__name` helper the page lacks.)
 */
async function installClickProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const probe = { start: -1, painted: -1 };
    (window as unknown as { __clickProbe: typeof probe }).__clickProbe = probe;
    document.addEventListener(
      'pointerup',
      (e) => {
        probe.start = e.timeStamp;
        probe.painted = -1;
        const seen = new MutationObserver(() => {
          if (!document.querySelector('[data-testid="transaction-drawer"]')) return;
          seen.disconnect();
          // rAF runs just before the frame that shows the drawer; the task after it, after paint.
          requestAnimationFrame(() => setTimeout(() => (probe.painted = performance.now()), 0));
        });
        seen.observe(document.body, { childList: true, subtree: true });
      },
      { capture: true },
    );
  });
}

/** Clicks a row of the live feed; resolves the click → drawer-painted time (ms). */
async function clickToDrawer(page: Page): Promise<number> {
  const box = await page.getByTestId('feed-row').nth(3).boundingBox();
  if (!box) throw new Error('no feed row to click');
  await page.mouse.move(box.x + 60, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.up();
  const ms = await page.waitForFunction(
    () => {
      const p = (window as unknown as { __clickProbe: { start: number; painted: number } })
        .__clickProbe;
      return p.painted > 0 ? p.painted - p.start : null;
    },
    undefined,
    { timeout: 30_000, polling: 50 },
  );
  const value = (await ms.jsonValue())!;
  await page.keyboard.press('Escape');
  await page.getByTestId('transaction-drawer').waitFor({ state: 'detached' });
  // Release the feed (focus and pointer hold it still) so the next click meets a moving list.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.mouse.move(0, 0);
  await sleep(400);
  return value;
}

async function clicks(page: Page): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < CLICKS; i++) out.push(await clickToDrawer(page));
  return out.sort((a, b) => a - b);
}

const ms = (v: number) => `${fmt(v, 1)} ms`;

/** The `dashboard` section of docs/benchmarks.md. */
export async function benchDashboard(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-dashboard-'));
  const [system, browser] = await Promise.all([
    startSystem({ edge: 'workerd', env: {}, port: 0, dataDir: dir }),
    launchChromium(),
  ]);
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(system.signInUrl);
    await page.locator('[data-testid="connection-state"][data-state="live"]').waitFor();
    await installClickProbe(page);
    // Seed the feed (synthetic rows, so there are rows to click) and let the page settle.
    await page.evaluate(() => window.__vigilPerf!.inject(500, 5_000));
    await page.mouse.move(0, 0);
    await sleep(3_000);

    const idle = await measure(page, 0);
    const idleClicks = await clicks(page);
    const load = await measure(page, RATE);
    // Clicks under the same load: a second injection runs while they happen.
    await page.evaluate(({ n, rate }) => void window.__vigilPerf!.inject(n, rate), {
      n: RATE * 60,
      rate: RATE,
    });
    await sleep(1_000);
    const loadClicks = await clicks(page);
    await page.evaluate(() => window.__vigilPerf!.stop());

    const f = (r: LoadRun) => r.frames;
    const row = (name: string, r: LoadRun): string[] => [
      name,
      fmtInt(f(r).frames),
      ms(f(r).p50Ms),
      ms(f(r).p99Ms),
      ms(f(r).maxMs),
      fmtInt(f(r).longFrames),
    ];
    const ratio = (a: number, b: number) => (b > 0 ? fmt(a / b) : 'n/a');
    const rate = (load.inject.sent / load.inject.elapsedMs) * 1000;
    const p50 = (s: number[]) => percentile(s, 50);
    return [
      '## Dashboard in Chromium: the live feed at 2,000 decisions/s',
      '',
      `Debian's Chromium ${browser.version()} (headless, playwright-core), 1440×900, signed in to the whole system (\`npm start\`'s, edge in workerd). \`window.__vigilPerf.inject(${fmtInt(RATE * SECONDS)}, ${fmtInt(RATE)})\` feeds the live feed synthetic decisions as hub frames every 10 ms, through the socket's parser and the feed store's \`ingest\` (the real path), for ${SECONDS} s while \`measureFrames\` records requestAnimationFrame intervals; the pointer is off the feed (pointing holds it still). Baseline, same run and method: the idle page (signed in, connected, no traffic). Long frame: over 50 ms.`,
      '',
      table(
        ['page', 'frames', 'frame p50', 'frame p99', 'max', 'long frames'],
        [
          row('idle (baseline)', idle),
          row(`live feed at ${fmtInt(RATE)}/s`, load),
          [
            'ratio load / idle',
            ratio(f(load).frames, f(idle).frames),
            ratio(f(load).p50Ms, f(idle).p50Ms),
            ratio(f(load).p99Ms, f(idle).p99Ms),
            '',
            '',
          ],
        ],
      ),
      '',
      `Under load: ${fmtInt(load.inject.sent)} decisions injected in ${fmt(load.inject.elapsedMs / 1000)} s (${fmtInt(rate)}/s), **${fmtInt(load.applied.events)} applied** to the feed in ${fmtInt(load.applied.flushes)} updates (${fmt(load.applied.flushes / SECONDS, 1)} a second; the feed applies at most every 66 ms), ${fmtInt(load.applied.dropped)} dropped; the feed held ${fmtInt(load.rows)} rows (its bound is 5,000).`,
      '',
      `Input responsiveness: a real click (CDP mouse events) on a feed row → the first frame painted with the transaction drawer open, from the pointerup's own timestamp (so time queued behind a busy main thread counts); ${CLICKS} clicks each, the feed moving between them.`,
      '',
      table(
        ['page', 'click → drawer p50', 'min', 'max'],
        [
          ['idle (baseline)', ms(p50(idleClicks)), ms(idleClicks[0]!), ms(idleClicks.at(-1)!)],
          [
            `live feed at ${fmtInt(RATE)}/s`,
            ms(p50(loadClicks)),
            ms(loadClicks[0]!),
            ms(loadClicks.at(-1)!),
          ],
          ['ratio load / idle', ratio(p50(loadClicks), p50(idleClicks)), '', ''],
        ],
      ),
      '',
    ].join('\n');
  } finally {
    await browser.close();
    await system.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
