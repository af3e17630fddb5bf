import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDb, type TestDb } from '../api/test-support.js';
import { defaultModelVersion } from '../api/thresholds/preview-query.js';
import { ServedModelRecorder } from './served-model-recorder.js';

let db: TestDb;
beforeAll(async () => {
  db = await startTestDb();
}, 60_000);
afterAll(() => db.stop());

describe('the served models recorder on PGlite', () => {
  it('records a roll-back to a model served seconds before at once, so it is the one served now', async () => {
    let t = Date.parse('2026-03-01T12:00:00Z');
    const rec = new ServedModelRecorder(db.sql, () => new Date(t));
    const own = { review: 0.3, decline: 0.8 };
    const window = { from: new Date(t - 86_400_000), to: new Date(t + 86_400_000) };
    await rec.record('srv-a', own);
    t += 1_000;
    await rec.record('srv-b', own); // promoted
    expect(await defaultModelVersion(db.sql, window, new Date(t))).toBe('srv-b');
    t += 2_000;
    await rec.record('srv-a', own); // rolled back: within RECORD_EVERY_MS of its last write
    expect(await defaultModelVersion(db.sql, window, new Date(t))).toBe('srv-a');
    // Served on, the same model is not written again on every sync.
    t += 1_000;
    await rec.record('srv-a', own);
    const [row] = await db.sql<{ seen_at: Date }[]>`
      SELECT seen_at FROM served_models WHERE model_version = 'srv-a'`;
    expect(row?.seen_at.getTime()).toBe(t - 1_000);
  });
});
