/**
 * The proof that training and serving agree: a simulated stream replayed through the live API
 * of the Node edge serving edge/model/ (with fraud labels fed back 7 days late) scores exactly as
 * model/'s offline backtest of the same files does. It lives here, not in edge/, because it needs
 * both sides: the edge never imports training code.
 */
import { expect, it } from 'vitest';
import { backtest, createOrtScorer, liveReplay, readArtifacts } from '@vigil/model';
import { simulate, toRecord } from '@vigil/sim';
import type { Env } from '../../edge/src/config/index.js';
import { startNodeEdge } from '../../edge/src/runtime/node/main.js';

const KEY = 'replay-test-key-0123456789';

/** Register the replay-equals-backtest test for an edge configured by `env` (its feature store). */
export function itReplaysLikeTheBacktest(name: string, env: () => Env): void {
  it(`live replay through ${name} equals the offline backtest (scores within 1e-5)`, async () => {
    const ds = simulate({ customers: 250, terminals: 500, days: 50, seed: 11 });
    const run = `r${Date.now().toString(36)}`;
    const ids = Array.from(
      { length: ds.length },
      (_, i) => `${run}_${toRecord(ds, i).transaction_id}`,
    );
    const data = { ...ds, transactionIds: ids };

    const model = await readArtifacts();
    const scorer = await createOrtScorer(model.onnx);
    const offline = await backtest(ds, ids, model, (x) => scorer.score(x));
    await scorer.release();
    const offlineOf = new Float32Array(ds.length);
    offline.order.forEach((row, k) => (offlineOf[row] = offline.scores[k]!));

    const edge = await startNodeEdge(
      { ...env(), PORT: '0', VIGIL_API_KEYS: KEY },
      { log: () => {} },
    );
    try {
      const live = await liveReplay(data, { url: edge.server.url, apiKey: KEY });
      expect(live.degraded).toBe(0);
      expect(live.unknownLabels).toBe(0);
      expect(live.feedback).toBeGreaterThan(0);
      let maxDiff = 0;
      for (let i = 0; i < ds.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs(live.scoreOf[i]! - offlineOf[i]!));
      expect(maxDiff).toBeLessThan(1e-5);
    } finally {
      await edge.close();
    }
  }, 180_000);
}
