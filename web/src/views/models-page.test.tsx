/** The Models page, rendered by Solid's server renderer from stores over an in-memory registry. */
import { renderToString } from 'solid-js/web';
import { describe, expect, it } from 'vitest';
import { createDriftStore } from '../stores/drift-store.js';
import { createModelsStore } from '../stores/models-store.js';
import { DEPLOYED, model, NOW, registry } from '../test/models-fakes.js';
import { ModelsPage } from './models-page.js';

/** The page over `r`'s registry once loaded, as HTML, and the row of a version in it. */
async function renderPage(r: ReturnType<typeof registry>) {
  const models = createModelsStore({ client: r.client, now: () => NOW });
  await models.load();
  const drift = createDriftStore({
    client: { getDrift: () => Promise.resolve({ latest: null, top: [] }) },
  });
  const html = renderToString(() => (
    <ModelsPage models={models} drift={drift} txHref={(id) => `#tx=${id}`} />
  ));
  const row = (v: string) =>
    new RegExp(`<tr[^>]*data-version="${v}"[^>]*>(.*?)</tr>`).exec(html)?.[0] ?? '';
  return { html, row };
}

describe('ModelsPage', () => {
  it('lists each model with the actions its status allows, and links each disagreement to the drawer', async () => {
    const r = registry([
      model('m3', 'retired'),
      model('m2', 'challenger'),
      { ...model('m1', 'champion'), previous_champion: false },
      { ...model('m0', 'candidate'), previous_champion: true },
    ]);
    const { html, row } = await renderPage(r);
    expect(row('m1')).toContain('data-status="champion"');
    expect(row('m1')).not.toContain('data-testid="model-promote"');
    expect(row('m2')).toContain('data-testid="model-promote"');
    expect(row('m2')).toContain('data-testid="model-retire"');
    expect(row('m2')).not.toContain('data-testid="model-challenge"');
    expect(row('m3')).toContain('data-testid="model-challenge"');
    expect(row('m3')).not.toContain('data-testid="model-retire"');
    expect(row('m0')).toContain('previous champion');
    // Roll back is offered (a previous champion exists), and names it.
    expect(html).toMatch(
      /title="Promote m0 again"[^>]*data-testid="model-roll-back"|data-testid="model-roll-back"[^>]*title="Promote m0 again"/,
    );
    expect(html).toContain('href="#tx=tx_1"');
    const text = html
      .replace(/<!--[^>]*-->/g, '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');
    expect(text).toContain('10 decisions scored by both, 4 labelled · agreement 90');
    // Model against model, with what Vigil answered (rules included) beside each disagreement.
    expect(text).toContain(
      'its scores under its thresholds in force (review 0.300, decline 0.800)',
    );
    expect(html).toMatch(/data-testid="disagreement-stored"[^>]*>.*?review/);
    expect(html).not.toContain('data-testid="compare-ranking-warning"');
    // The committed default: a row of the list, not served (m1 is), promotable, nothing else.
    expect(row('m1')).toContain('data-testid="model-served"');
    expect(row('default')).toContain('data-status="candidate"');
    expect(row('default')).toContain(DEPLOYED);
    expect(row('default')).toContain('committed default');
    // Its own metadata's training window and test metrics, as a registered model's row.
    expect(row('default')).toContain('2018-05-08');
    expect(row('default')).toMatch(/>0\.880<.*>0\.746<.*>0\.337</);
    expect(row('default')).not.toContain('data-testid="model-served"');
    expect(row('default')).toContain('data-testid="model-promote"');
    expect(row('default')).not.toContain('data-testid="model-challenge"');
    expect(row('default')).not.toContain('data-testid="model-retire"');
    expect(text).toContain('The edges serve m1, the champion.');
  });

  it('shows the committed default served when no model is champion, with roll back to the one it replaced', async () => {
    const r = registry([{ ...model('m1', 'candidate'), previous_champion: true }]);
    const { html, row } = await renderPage(r);
    expect(row('default')).toContain('data-status="champion"');
    expect(row('default')).toContain('data-testid="model-served"');
    expect(row('default')).not.toContain('data-testid="model-promote"');
    expect(html).toContain(`The edges serve the committed default ${DEPLOYED}.`);
    expect(html).toMatch(/title="Promote m1 again"/);
    expect(html).not.toContain('data-testid="models-empty"');
  });

  it('says plainly when labels of one class only leave AUC and AP unranked', async () => {
    const r = registry([model('m2', 'challenger'), model('m1', 'champion')]);
    const client = {
      ...r.client,
      compareModels: async (q: Parameters<typeof r.client.compareModels>[0]) => ({
        ...(await r.client.compareModels(q)),
        ranking_warning: 'no legitimate labels in the window: AUC and AP cannot rank',
      }),
    };
    const { html } = await renderPage({ ...r, client });
    const warning = /data-testid="compare-ranking-warning"[^>]*>(.*?)<\/p>/.exec(html)?.[1] ?? '';
    expect(warning.replace(/<!--[^>]*-->/g, '')).toBe(
      'No legitimate labels in the window: AUC and AP cannot rank.',
    );
  });
});
