/** Edge behaviour, degraded mode: a failing feature store still gets a 200 from fallback features, counted. Run by behaviour.suite.ts. */
import { describe, expect, it } from 'vitest';
import type { ScoreAnswer } from '@vigil/core';
import { Api, at, type BehaviourContext, content } from './behaviour-support.js';

export function degradedBehaviour({ api, tx, world, options }: BehaviourContext): void {
  describe('degraded mode', () => {
    const faulty = options.makeFaultyTarget;
    if (!faulty) {
      it.todo('needs makeFaultyTarget');
      return;
    }
    it.each(['store-throws', 'store-hangs'] as const)(
      '%s: answers 200 degraded from fallback features, counted in /metrics',
      async (fault) => {
        const bad = await faulty(fault);
        try {
          const badApi = new Api(() => bad);
          const cause = fault === 'store-throws' ? 'store_error' : 'store_timeout';
          const counter = `vigil_degraded_requests_total{cause="${cause}"}`;
          const before = await badApi.metric(counter);
          const t = tx({ ...world('deg'), amount: 250, timestamp: at(4, 3) });
          const r = await badApi.post('/v1/score', t);
          expect(r.status, r.text).toBe(200);
          const a = r.json() as ScoreAnswer;
          expect(a).toMatchObject({
            transaction_id: t.transaction_id,
            degraded: true,
            replayed: false,
          });
          expect(await badApi.metric(counter)).toBe(before + 1);
          // Fallback features are a first-ever transaction's: the healthy edge agrees on a fresh world.
          const healthy = await api.score({ ...t, ...world('fresh') });
          expect({ ...content(a), degraded: false }).toEqual(content(healthy));
          const batch = await badApi.batch([tx({ ...world('degb') }), tx({ ...world('degb') })]);
          expect(batch.map((x) => x.degraded)).toEqual([true, true]);
        } finally {
          await bad.close();
        }
      },
    );
  });
}
