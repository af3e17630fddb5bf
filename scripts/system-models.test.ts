/**
 * The model registry through the whole system (issue 18): a registered model challenged, then
 * promoted, then rolled back, while payments flow — on workerd and on Node. No payment fails; each
 * edge serves the new champion within 30 s (GET /v1/model and the answers' model_version), the
 * challenger's verdicts reach Postgres on the decision events (the backplane's comparison counts
 * them), and the roll-back (promote the previous champion) is served the same way.
 */
import type { ModelCompare } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import {
  otherBytes,
  registerBody,
  trainedTestModel,
} from '../backplane/src/api/models/model-fixtures.js';
import { poll, useSystem } from './system-test-support.js';

/** ARCHITECTURE.md's promise: every edge serves a promoted model within 30 s. */
const PROMOTION_MS = 30_000;

interface ModelInfo {
  version: string;
  source: 'deployed' | 'registry';
  challenger: { version: string } | null;
  thresholds: { review: number; decline: number };
  thresholds_source: 'model' | 'backplane';
}

describe.each(['workerd', 'node'] as const)('the model registry with the edge on %s', (edge) => {
  const sut = useSystem(edge);

  const api = async (method: string, path: string, body?: object) => {
    const r = await fetch(`${sut.origin}${path}`, {
      method,
      headers: { ...sut.auth, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, body: await r.json() };
  };
  /** Every GET /v1/model answer seen, in order: what each edge served and decided with. */
  const seen: ModelInfo[] = [];
  const modelInfo = async () => {
    const m = (await api('GET', '/v1/model')).body as ModelInfo;
    seen.push(m);
    return m;
  };

  it('challenges, promotes and rolls back while payments flow: none fails, each served within 30 s', async () => {
    const deployed = (await modelInfo()).version;
    const a = `sys-${edge}-a`;
    const b = `sys-${edge}-b`;
    for (const [version, tag] of [
      [a, 'a'],
      [b, 'b'],
    ] as const) {
      const { onnx, metadata } = await trainedTestModel(version);
      const r = await api('POST', '/api/models', registerBody(otherBytes(onnx, tag), metadata));
      expect(r.status).toBe(201);
    }

    // Payments flow through every step: four at a time, each answer's model version recorded.
    let seq = 0;
    let stop = false;
    const failures: string[] = [];
    const answered: { id: string; version: string }[] = [];
    const lane = async () => {
      while (!stop) {
        const id = `tx_mod_${edge}_${++seq}`;
        const r = await sut.post('/v1/score', {
          transaction_id: id,
          timestamp: new Date(Date.now() - 60_000).toISOString(),
          customer_id: `c_mod_${edge}_${seq % 50}`,
          terminal_id: `t_mod_${edge}_${seq % 7}`,
          amount: 5 + (seq % 300),
        });
        const text = await r.text();
        if (r.status !== 200) failures.push(`${r.status} ${text.slice(0, 200)}`);
        else
          answered.push({
            id,
            version: (JSON.parse(text) as { model_version: string }).model_version,
          });
      }
    };
    const lanes = [lane(), lane(), lane(), lane()];
    const latestVersion = () => answered[answered.length - 1]?.version;
    const servedWithin = async (version: string) => {
      const started = Date.now();
      await poll(async () => {
        const m = await modelInfo();
        return m.version === version && latestVersion() === version ? true : null;
      }, PROMOTION_MS);
      return Date.now() - started;
    };

    try {
      // Challenge: scored in shadow; the stored decisions carry its verdicts.
      expect((await api('POST', `/api/models/${a}/challenge`)).status).toBe(200);
      await poll(
        async () => ((await modelInfo()).challenger?.version === a ? true : null),
        PROMOTION_MS,
      );
      const compared = await poll(async () => {
        const r = await api('GET', `/api/models/compare?champion=${deployed}&challenger=${a}`);
        const c = r.body as ModelCompare;
        return r.status === 200 && c.evaluated >= 3 ? c : null;
      }, PROMOTION_MS);
      expect(compared.challenger_version).toBe(a);

      // Promote a, then b; roll back = promote the previous champion (a).
      expect((await api('POST', `/api/models/${a}/promote`)).status).toBe(200);
      expect(await servedWithin(a)).toBeLessThanOrEqual(PROMOTION_MS);
      const m = await modelInfo();
      expect(m).toMatchObject({ version: a, source: 'registry', challenger: null });
      // b has thresholds set before its promotion: served with them from its first answer, never
      // a moment with its metadata's own (the sync names the champion and its thresholds at once).
      const setB = { review: 0.03, decline: 0.22 };
      expect((await api('PUT', `/api/thresholds/${b}`, setB)).status).toBe(200);
      expect((await api('POST', `/api/models/${b}/promote`)).status).toBe(200);
      expect(await servedWithin(b)).toBeLessThanOrEqual(PROMOTION_MS);
      const servedB = seen.filter((x) => x.version === b);
      expect(servedB.length).toBeGreaterThan(0);
      for (const x of servedB) {
        expect(x).toMatchObject({ thresholds: setB, thresholds_source: 'backplane' });
      }
      expect((await api('POST', `/api/models/${a}/promote`)).status).toBe(200);
      expect(await servedWithin(a)).toBeLessThanOrEqual(PROMOTION_MS);
      // Back to the committed default the same way: the sync says no champion, the edge serves
      // the model it was deployed with.
      expect((await api('POST', '/api/models/default/promote')).status).toBe(200);
      expect(await servedWithin(deployed)).toBeLessThanOrEqual(PROMOTION_MS);
      expect((await modelInfo()).source).toBe('deployed');
    } finally {
      stop = true;
      await Promise.all(lanes);
    }
    expect(failures).toEqual([]);
    const versions = new Set(answered.map((x) => x.version));
    expect(versions).toEqual(new Set([deployed, a, b]));
  });
});
