/**
 * The thresholds API on PGlite: the preview checked against a plain computation over a known set
 * of decisions, bounded as the backtest, setting thresholds with their audit rows, and handing
 * them to the edges' sync.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiHarness,
  callApi,
  DEPLOYED_VERSION,
  startTestDb,
  type TestDb,
} from '../test-support.js';
import { checkPreviewBounds } from './preview-bounds.suite.js';
import { checkThresholdsApi } from './thresholds-api.suite.js';

let db: TestDb;

beforeAll(async () => {
  db = await startTestDb();
}, 60_000);
afterAll(() => db.stop());

describe('the thresholds API on PGlite', () => {
  it('previews, sets, audits and syncs thresholds per model version', async () => {
    const now = new Date();
    await checkThresholdsApi(apiHarness(db.sql, { now: () => now }).root, db.sql, 'lite', now);
  }, 60_000);

  it('bounds the preview as the backtest: one read per analyst across both (429), 503 past the limit', async () => {
    await checkPreviewBounds(db.sql, 'lite');
  }, 60_000);

  it('a window whose default start would fall before year 1 starts at year 1 (preview, backtest, compare)', async () => {
    const { root } = apiHarness(db.sql);
    const early = '0001-01-20T00:00:00Z';
    const calls: [string, string, unknown][] = [
      ['POST', '/api/thresholds/preview', { review: 0.2, decline: 0.5, to: early }],
      ['POST', '/api/rules/backtest', { expression: 'true', action: 'review', to: early }],
      [
        'GET',
        `/api/models/compare?champion=${DEPLOYED_VERSION}&challenger=b&to=${early}`,
        undefined,
      ],
    ];
    for (const [method, path, body] of calls) {
      const a = await callApi(root, method, path, body);
      expect(a.status, `${path}: ${JSON.stringify(a.body)}`).toBe(200);
      expect(a.body.window).toEqual({
        from: '0001-01-01T00:00:00.000Z',
        to: '0001-01-20T00:00:00.000Z',
      });
    }
    // `to` at the very first instant leaves no window: a 400 naming /to, the one field given.
    for (const [method, path, body] of [
      [
        'POST',
        '/api/thresholds/preview',
        { review: 0.2, decline: 0.5, to: '0001-01-01T00:00:00Z' },
      ],
      [
        'POST',
        '/api/rules/backtest',
        { expression: 'true', action: 'review', to: '0001-01-01T00:00:00Z' },
      ],
      ['GET', '/api/models/compare?champion=a&challenger=b&to=0001-01-01T00:00:00Z', undefined],
    ] as [string, string, unknown][]) {
      const a = await callApi(root, method, path, body);
      expect(a.status, path).toBe(400);
      expect((a.body.errors as { path: string }[]).map((e) => e.path)).toEqual(['/to']);
    }
  });

  it('refuses a path whose percent-encoding is not UTF-8, instead of taking it literally', async () => {
    const { root } = apiHarness(db.sql);
    for (const [method, path, body, pointer] of [
      ['PUT', '/api/thresholds/%FF', { review: 0.1, decline: 0.2 }, '/model_version'],
      ['PUT', '/api/thresholds/ok%ED%A0%80', { review: 0.1, decline: 0.2 }, '/model_version'],
      ['POST', '/api/models/%C3/promote', undefined, '/version'],
    ] as [string, string, unknown, string][]) {
      const a = await callApi(root, method, path, body);
      expect(a.status, path).toBe(400);
      expect((a.body.errors as { path: string }[]).map((e) => e.path)).toEqual([pointer]);
    }
    const rows = await db.sql`
      SELECT 1 FROM thresholds WHERE model_version IN ('%FF', 'ok%ED%A0%80')`;
    expect(rows).toHaveLength(0);
  });
});
