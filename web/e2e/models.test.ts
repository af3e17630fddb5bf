/**
 * The Models page and the drift tile in Chromium against the whole system as `npm start` runs it
 * (edge in workerd, the backplane with embedded Postgres): two trained models registered through
 * the API, one champion and one challenger; the page lists the registry as GET /api/models has it,
 * promotes the challenger (after its confirmation) and rolls back, each change seen in the list and
 * in the API; the drift tile says why it has no PSI (the drift job's run at start), then shows a
 * stored run in its colour with the most drifting features; then promotes a registry model and the
 * committed default (a row of the list), the page saying which is served and the edge serving it,
 * and rolls back to the model it replaced. The steps share one page, in order.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelList } from '@vigil/core';
import type { Browser, Page } from 'playwright-core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otherBytes, registerBody, trainedTestModel } from '../../scripts/registry-test-models.js';
import { startSystem, type RunningSystem } from '../../scripts/system.js';
import { launchChromium, type PageProblems } from './chromium.js';
import { poll, signedInPage, systemApi, tearDown, type ApiCall } from './helpers.js';

describe('the Models page and the drift tile in Chromium against the whole system', () => {
  let system: RunningSystem;
  let dir: string;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;
  let api: ApiCall;
  const A = 'train-20260101-e2e0000a';
  const B = 'train-20260201-e2e0000b';

  const statusOf = (version: string) =>
    page
      .locator(`[data-testid="model-row"][data-version="${version}"]`)
      .getAttribute('data-status');
  const registry = async () =>
    Object.fromEntries(
      (await api<ModelList>('/api/models')).body.items.map((m) => [m.version, m.status]),
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-models-'));
    [system, browser] = await Promise.all([
      startSystem({ edge: 'workerd', env: {}, port: 0, dataDir: dir }),
      launchChromium(),
    ]);
    api = systemApi(system);
    const a = await trainedTestModel(A);
    const b = await trainedTestModel(B);
    const post = (path: string, body?: unknown) =>
      api(path, { method: 'POST', ...(body ? { body: JSON.stringify(body) } : {}) });
    expect((await post('/api/models', registerBody(a.onnx, a.metadata))).status).toBe(201);
    const bBytes = otherBytes(b.onnx, 'b');
    expect((await post('/api/models', registerBody(bBytes, b.metadata))).status).toBe(201);
    expect((await post(`/api/models/${A}/promote`)).status).toBe(200);
    expect((await post(`/api/models/${B}/challenge`)).status).toBe(200);
    ({ page, problems } = await signedInPage(browser, system.signInUrl));
  });

  afterAll(() => tearDown(browser, system, dir));

  it('lists the registry as the API has it', async () => {
    await page.getByTestId('nav-models').click();
    expect(page.url()).toBe(`${system.origin}/#/models`);
    await page.getByTestId('models-table').waitFor();
    expect(await registry()).toEqual({ [A]: 'champion', [B]: 'challenger' });
    // The two registered models and the committed default, not served while A is champion.
    expect(await page.getByTestId('model-row').count()).toBe(3);
    expect(await statusOf(A)).toBe('champion');
    expect(await statusOf(B)).toBe('challenger');
    expect(await statusOf('default')).toBe('candidate');
    // The challenger is compared with the champion (no decision scored by both yet).
    await page.getByTestId('compare-counts').waitFor();
    expect(await page.getByTestId('compare-counts').textContent()).toContain('0 decisions');
  });

  it('promotes the challenger after its confirmation, and rolls back', async () => {
    const row = page.locator(`[data-testid="model-row"][data-version="${B}"]`);
    await row.getByTestId('model-promote').click();
    // Nothing changes before the confirmation.
    await row.getByTestId('model-promote-confirm').waitFor();
    expect((await registry())[B]).toBe('challenger');
    await row.getByTestId('model-promote-confirm').click();
    await expect.poll(() => statusOf(B)).toBe('champion');
    expect(await statusOf(A)).toBe('candidate');
    expect(await registry()).toEqual({ [A]: 'candidate', [B]: 'champion' });

    // Roll back asks first, as Promote does: nothing changes before the confirmation.
    await page.getByTestId('model-roll-back').click();
    await page.getByTestId('model-roll-back-confirm').waitFor();
    expect(await registry()).toEqual({ [A]: 'candidate', [B]: 'champion' });
    await page.getByTestId('model-roll-back-confirm').click();
    await expect.poll(() => statusOf(A)).toBe('champion');
    expect((await registry())[A]).toBe('champion');
    expect(await page.getByTestId('model-change-error').count()).toBe(0);
  });

  it('shows drift: why there is no PSI, then a run in its colour with the top features', async () => {
    const tile = page.getByTestId('drift-tile');
    // The job's run at start found no decisions of a registered champion with a reference.
    await expect.poll(() => tile.getAttribute('data-level')).toBe('none');
    expect(await tile.textContent()).toMatch(/No decisions|No reference/);

    // A run as the job stores it (the job itself is tested in backplane/src/drift), dated after
    // any the job itself stores meanwhile (it runs within a minute of the promotion above).
    const sql = postgres(system.backplane.databaseUrl, { max: 1, onnotice: () => undefined });
    try {
      await sql`
        INSERT INTO drift_runs (computed_at, model_version, window_from, window_to, rows, status,
                                score_psi, features)
        VALUES (now() + interval '1 day', ${A}, now() - interval '1 hour', now(), 500, 'ok',
                0.12, ${sql.json([
                  { feature: 'amount', psi: 0.31 },
                  { feature: 'hour_of_day', psi: 0.02 },
                ])})`;
    } finally {
      await sql.end({ timeout: 1 });
    }
    await page.getByTestId('nav-overview').click();
    const overviewTile = page.getByTestId('drift-tile');
    await expect.poll(() => overviewTile.getAttribute('data-level')).toBe('red');
    const badge = overviewTile.getByTestId('drift-level');
    expect(await badge.textContent()).toContain('0.31');
    // Red as the decline badge is: the colour the tile's level names.
    const colour = await badge.evaluate((el) => getComputedStyle(el).color);
    const decline = await page.evaluate(() =>
      getComputedStyle(document.documentElement).getPropertyValue('--decline').trim(),
    );
    expect(decline).not.toBe('');
    const probe = await page.evaluate((c) => {
      const el = document.createElement('span');
      el.style.color = c;
      document.body.append(el);
      const rgb = getComputedStyle(el).color;
      el.remove();
      return rgb;
    }, decline);
    expect(colour).toBe(probe);
    expect(await overviewTile.getByTestId('drift-top').textContent()).toMatch(/amount.*0\.31/);
    expect(problems.all()).toEqual([]);
  });
  it('promotes a registry model, then the committed default, and says which is served', async () => {
    await page.getByTestId('nav-models').click();
    await page.getByTestId('models-table').waitFor();
    const served = page.getByTestId('models-served');
    const promote = async (version: string) => {
      const row = page.locator(`[data-testid="model-row"][data-version="${version}"]`);
      await row.getByTestId('model-promote').click();
      await row.getByTestId('model-promote-confirm').click();
      await expect.poll(() => statusOf(version)).toBe('champion');
      return row;
    };
    const bRow = await promote(B);
    await expect.poll(() => served.textContent()).toBe(`The edges serve ${B}, the champion.`);
    expect(await bRow.getByTestId('model-served').count()).toBe(1);

    const deployed = (await api<ModelList>('/api/models')).body.default.model_version;
    expect(deployed).toMatch(/^gbdt-/);
    const defaultRow = await promote('default');
    await expect
      .poll(() => served.textContent())
      .toBe(`The edges serve the committed default ${deployed}.`);
    expect(await defaultRow.getByTestId('model-served').count()).toBe(1);
    expect(await defaultRow.textContent()).toContain('committed default');
    expect(await bRow.getByTestId('model-served').count()).toBe(0);
    expect(await bRow.textContent()).toContain('previous champion');
    expect((await api<ModelList>('/api/models')).body.default).toMatchObject({
      status: 'champion',
      model_version: deployed,
    });
    expect(await registry()).toEqual({ [A]: 'candidate', [B]: 'candidate' });
    // The edge (workerd) hears it in its rules sync and serves the model it was deployed with.
    const edge = await poll(
      'the edge serving its deployed model',
      async () => {
        const m = (await api<{ version: string; source: string }>('/v1/model')).body;
        return m.source === 'deployed' ? m : null;
      },
      30_000,
    );
    expect(edge.version).toBe(deployed);
    // Roll back lands on the model the default replaced.
    expect(await page.getByTestId('model-roll-back').getAttribute('title')).toBe(
      `Promote ${B} again`,
    );
    await page.getByTestId('model-roll-back').click();
    await page.getByTestId('model-roll-back-confirm').click();
    await expect.poll(() => statusOf(B)).toBe('champion');
    expect(await statusOf('default')).toBe('candidate');
    expect(await page.getByTestId('model-change-error').count()).toBe(0);
    expect(problems.all()).toEqual([]);
  });
});
