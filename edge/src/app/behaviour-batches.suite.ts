/** Edge behaviour, batches: in order, as one by one; repeated ids are replays; all or nothing. Run by behaviour.suite.ts. */
import { expect, it } from 'vitest';
import type { ScoreAnswer } from '@vigil/core';
import { at, type BehaviourContext, content, expectProblem } from './behaviour-support.js';

export function batchesBehaviour({ api, tx, world }: BehaviourContext): void {
  it('scores a batch in order: the same answers as one by one', async () => {
    const [u, v, w] = [world('bu'), world('bv'), world('bw')];
    const plan = [
      { amount: 12, timestamp: at(2, 8) },
      { amount: 35, timestamp: at(2, 9) },
      { amount: 18.5, timestamp: at(2, 9, 30) },
      { amount: 640, timestamp: at(2, 10) },
      { amount: 22, timestamp: at(2, 11) },
    ];
    const batch = await api.batch(plan.map((p) => tx({ ...u, ...p })));
    const single: ScoreAnswer[] = [];
    for (const p of plan) single.push(await api.score(tx({ ...v, ...p })));
    expect(batch.map(content)).toEqual(single.map(content));
    expect(batch.every((a) => !a.replayed && !a.degraded)).toBe(true);
    // Later items saw earlier ones: the last one scored alone, on a fresh world, differs.
    const alone = await api.score(tx({ ...w, ...plan[4]! }));
    expect(content(alone)).not.toEqual(content(batch[4]!));
  });

  it('answers a repeated id inside a batch as a replay of its first answer', async () => {
    const t = tx({ ...world('dup') });
    const [a, b] = await api.batch([t, t]);
    expect(b).toEqual({ ...a, replayed: true });
    expect(await api.score(t)).toEqual({ ...a, replayed: true });
  });

  it('rejects a batch with invalid items naming each index and field, scoring nothing', async () => {
    const w = world('bad');
    const good = tx({ ...w });
    const items: unknown[] = [
      good,
      { ...tx({ ...w }), amount: -3 },
      tx({ ...w }),
      { ...tx({ ...w }), shoe_size: 44 },
    ];
    const p = expectProblem(await api.post('/v1/score/batch', { transactions: items }), 400);
    expect(p.errors?.map((e) => e.path).sort()).toEqual([
      '/transactions/1/amount',
      '/transactions/3/shoe_size',
    ]);
    // Nothing was scored: the valid first item is still fresh.
    expect((await api.score(good)).replayed).toBe(false);
    const tooMany = Array.from({ length: 1_001 }, () => tx({ ...w }));
    const big = expectProblem(await api.post('/v1/score/batch', { transactions: tooMany }), 400);
    expect(big.errors?.map((e) => e.path)).toEqual(['/transactions']);
    expectProblem(await api.post('/v1/score/batch', { transactions: [] }), 400);
  });
}
