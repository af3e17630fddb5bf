/** The drift tile, rendered by Solid's server renderer from a drift store over a fake client. */
import type { DriftAnswer, DriftRun } from '@vigil/core';
import { renderToString } from 'solid-js/web';
import { describe, expect, it } from 'vitest';
import { createDriftStore } from '../stores/drift-store.js';
import { DriftTile } from './drift-tile.js';
import { featureLabel, formatDateTime } from '../format/format.js';

/** Text as Solid's renderer escapes it. */
const escapeHtml = (t: string) =>
  t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&#39;');

const run = (over: Partial<DriftRun>): DriftRun => ({
  computed_at: '2026-06-01T12:00:00Z',
  model_version: 'train-20260501-abcdef12',
  from: '2026-06-01T11:00:00Z',
  to: '2026-06-01T12:00:00Z',
  rows: 1234,
  status: 'ok',
  score_psi: 0.05,
  max_psi: 0.05,
  level: 'ok',
  features: [],
  ...over,
});

const text = (html: string) =>
  html
    .replace(/<!--[^>]*-->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');

async function render(answer: DriftAnswer): Promise<string> {
  const drift = createDriftStore({ client: { getDrift: () => Promise.resolve(answer) } });
  await drift.load();
  return renderToString(() => <DriftTile drift={drift} />);
}

describe('DriftTile', () => {
  it('is amber from 0.1 and red from 0.25, with the most drifting features', async () => {
    const top = [
      { feature: 'amount', psi: 0.31 },
      { feature: 'customer_nb_tx_1d', psi: 0.12 },
    ];
    const red = await render({
      latest: run({ max_psi: 0.31, level: 'red', features: top }),
      top,
    });
    expect(red).toContain('data-level="red"');
    expect(red).toContain('drift-badge drift-red');
    expect(text(red)).toContain('0.31 · act');
    // The feature as the drawer names it (core's plain label and unit), its PSI coloured by level.
    expect(red).toContain(
      `${escapeHtml(featureLabel('customer_nb_tx_1d'))}</span><span class="mono drift-amber">0.12`,
    );
    const amber = await render({ latest: run({ max_psi: 0.1, level: 'amber' }), top: [] });
    expect(amber).toContain('drift-badge drift-amber');
    expect(await render({ latest: run({}), top: [] })).toContain('drift-badge drift-ok');
  });

  it('says there is no reference, and when no run exists yet', async () => {
    const none = await render({
      latest: run({ status: 'no_reference', score_psi: null, max_psi: null, level: null }),
      top: [],
    });
    expect(none).toContain('data-level="none"');
    expect(none).toContain('No reference');
    expect(await render({ latest: null, top: [] })).toContain('No drift run yet.');
  });

  it('says when the run shown was computed and when the next one comes', async () => {
    const ok = text(await render({ latest: run({}), top: [] }));
    expect(ok).toContain(`Computed ${formatDateTime('2026-06-01T12:00:00Z')}`);
    expect(ok).toContain('runs hourly, and at once on a promotion');
    const empty = text(
      await render({
        latest: run({ status: 'no_data', rows: 0, score_psi: null, max_psi: null, level: null }),
        top: [],
      }),
    );
    expect(empty).toContain('No decisions of the champion in the window');
    expect(empty).toContain(`Computed ${formatDateTime('2026-06-01T12:00:00Z')}`);
    expect(empty).toContain('runs again within 5 minutes while there is no data');
  });
});
