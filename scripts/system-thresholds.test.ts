/**
 * Thresholds through the whole system (issue 16): new thresholds for the served model, set
 * through the analysts' API, reach the edge within 5 s without a restart — on workerd and on
 * Node — and decide there; GET /v1/model and /metrics name them, the change is audited, and the
 * preview replays the decisions the system stored.
 */
import type { ThresholdsList, ThresholdsPreview } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { poll, useSystem } from './system-test-support.js';

/** ARCHITECTURE.md's promise for rules, which thresholds ride with: every edge within 5 s. */
const PROPAGATION_MS = 5_000;

interface ModelInfo {
  version: string;
  thresholds: { review: number; decline: number };
  model_thresholds: { review: number; decline: number };
  thresholds_source: 'model' | 'backplane';
}

describe.each(['workerd', 'node'] as const)('thresholds with the edge on %s', (edge) => {
  const sut = useSystem(edge);
  let seq = 0;

  const api = async (method: string, path: string, body?: object) => {
    const r = await fetch(`${sut.origin}${path}`, {
      method,
      headers: { ...sut.auth, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, body: (await r.json()) };
  };
  const score = async () => {
    const r = await sut.post('/v1/score', {
      transaction_id: `tx_thr_${edge}_${++seq}`,
      timestamp: new Date(Date.now() - 60_000).toISOString(),
      customer_id: `c_thr_${edge}_${seq}`,
      terminal_id: `t_thr_${edge}`,
      amount: 25,
    });
    expect(r.status).toBe(200);
    return (await r.json()) as { transaction_id: string; score: number; decision: string };
  };

  it('decides with thresholds set for its model within 5 s, and reports them', async () => {
    const model = (await api('GET', '/v1/model')).body as ModelInfo;
    expect(model.thresholds_source).toBe('model');
    expect(model.thresholds).toEqual(model.model_thresholds);
    const own = model.model_thresholds;
    // The edge names its model in its sync: the backplane knows it is served, with its thresholds.
    const served = await poll(async () => {
      const list = (await api('GET', '/api/thresholds')).body as ThresholdsList;
      return list.served.find((s) => s.model_version === model.version) ?? null;
    }, PROPAGATION_MS);
    expect(served).toMatchObject({ model_thresholds: own, in_force: own });

    // A small payment of a new card: the model approves it.
    const before = await score();
    expect(before.score).toBeLessThan(own.review);
    expect(before.decision).toBe('approve');

    // Thresholds at 0: every score declines, once the edge has them.
    const put = await api('PUT', `/api/thresholds/${encodeURIComponent(model.version)}`, {
      review: 0,
      decline: 0,
    });
    expect(put.status).toBe(200);
    const declined = await poll(async () => {
      const a = await score();
      return a.decision === 'decline' ? a : null;
    }, PROPAGATION_MS);
    expect(declined.score).toBeLessThan(own.review);
    const now = (await api('GET', '/v1/model')).body as ModelInfo;
    expect(now).toMatchObject({
      version: model.version,
      thresholds: { review: 0, decline: 0 },
      model_thresholds: own,
      thresholds_source: 'backplane',
    });
    const metrics = await (await fetch(`${sut.origin}/metrics`, { headers: sut.auth })).text();
    expect(metrics).toContain('vigil_decision_threshold{threshold="decline",source="backplane"} 0');

    const audit = (await api('GET', '/api/audit?action=thresholds.set')).body as {
      items: { target: string; after: unknown }[];
    };
    expect(audit.items[0]).toMatchObject({
      target: `thresholds:${model.version}`,
      after: { review: 0, decline: 0 },
    });

    // Back to the model's own values: approved again within 5 s.
    await api('PUT', `/api/thresholds/${encodeURIComponent(model.version)}`, own);
    await poll(async () => ((await score()).decision === 'approve' ? true : null), PROPAGATION_MS);

    // The preview replays what was stored: the declined payment is a decline under the zeros.
    const stored = await poll(async () => {
      const r = await api('GET', `/api/transactions/${declined.transaction_id}`);
      return r.status === 200 ? r.body : null;
    }, PROPAGATION_MS);
    expect(stored).toMatchObject({ decision: 'decline', model_version: model.version });
    const preview = (await api('POST', '/api/thresholds/preview', { review: 0, decline: 0 }))
      .body as ThresholdsPreview;
    expect(preview.model_version).toBe(model.version);
    expect(preview.evaluated).toBeGreaterThanOrEqual(2);
    expect(preview.proposed.decline.count).toBe(preview.evaluated);
    expect(preview.current?.thresholds).toEqual(own);
  });
});
