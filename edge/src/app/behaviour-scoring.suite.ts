/** Edge behaviour, the score answer: its documented shape, decision and reasons, concurrency. Run by behaviour.suite.ts. */
import { expect, it } from 'vitest';
import { REASON_CODES, type FeatureName, type ScoreAnswer } from '@vigil/core';
import { type BehaviourContext } from './behaviour-support.js';

export function scoringBehaviour({ api, tx, world }: BehaviourContext): void {
  it('scores a transaction with the documented answer and Server-Timing', async () => {
    const model = (await api.request('GET', '/v1/model')).json() as {
      version: string;
      feature_names: string[];
      thresholds: { review: number; decline: number };
      metrics: unknown;
    };
    expect(model.feature_names.length).toBeGreaterThan(10);
    expect(model.metrics).toBeTypeOf('object');
    const t = tx({ ...world('happy') });
    const r = await api.post('/v1/score', t);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const a = r.json() as ScoreAnswer;
    expect(Object.keys(a)).toEqual([
      'transaction_id',
      'score',
      'decision',
      'reasons',
      'rules',
      'model_version',
      'degraded',
      'replayed',
    ]);
    expect(a).toMatchObject({
      transaction_id: t.transaction_id,
      model_version: model.version,
      degraded: false,
      replayed: false,
    });
    expect(a.score).toBeGreaterThanOrEqual(0);
    expect(a.score).toBeLessThanOrEqual(1);
    const th = model.thresholds;
    const expected =
      a.score >= th.decline ? 'decline' : a.score >= th.review ? 'review' : 'approve';
    expect(a.decision).toBe(expected);
    expect(a.reasons.length).toBeLessThanOrEqual(3);
    for (const reason of a.reasons) {
      expect(Object.keys(reason)).toEqual(['code', 'feature', 'contribution', 'message']);
      const feature = (reason as { feature: FeatureName }).feature;
      expect(model.feature_names).toContain(feature);
      // The sentence the analysts' API gives for the same reason (core's REASON_CODES).
      expect(reason.message).toBe(REASON_CODES[feature].message);
      expect(reason.contribution).toBeGreaterThan(0);
    }
    const timing = r.headers.get('server-timing') ?? '';
    const dur = (m: string) => Number(new RegExp(`${m};dur=([0-9.]+)`).exec(timing)?.[1]);
    for (const m of ['features', 'model', 'total'])
      expect(dur(m), timing).toBeGreaterThanOrEqual(0);
    expect(dur('total')).toBeGreaterThanOrEqual(dur('features'));
  });

  it('answers concurrent requests each with its own score', async () => {
    // 40 transactions of 40 fresh customers and terminals: their features do not depend on the
    // order they are processed in, so concurrent answers must equal sequential ones for twins.
    const amounts = Array.from({ length: 40 }, (_, i) => 5 + i * 37.5);
    const mk = (tag: string) => amounts.map((amount) => tx({ ...world(tag), amount }));
    const concurrent = await Promise.all(mk('conc').map((t) => api.post('/v1/score', t)));
    const sequential: (typeof concurrent)[number][] = [];
    for (const t of mk('seq')) sequential.push(await api.post('/v1/score', t));
    concurrent.forEach((r, i) => {
      expect(r.status).toBe(200);
      const a = r.json() as ScoreAnswer;
      const b = sequential[i]!.json() as ScoreAnswer;
      expect(a.degraded).toBe(false);
      expect(a.score).toBeCloseTo(b.score, 6);
    });
    const scores = new Set(concurrent.map((r) => (r.json() as ScoreAnswer).score));
    expect(scores.size).toBeGreaterThan(1);
  });
}
