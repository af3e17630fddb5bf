/**
 * Issue 13's acceptance for storable inputs: whatever the edge answers 200 (or 202 for a verdict)
 * lands in Postgres and the analysts' API. Generated odd-but-valid transactions (any RFC 3339
 * offset up to ±23:59, up to nine fraction digits, subnormal and boundary amounts, ids of every
 * allowed character — core's odd-inputs.ts) and verdicts on them go through the whole system as
 * `npm start` and `npm run start:node` run it (PGlite, the in-process log), singly and in batches;
 * each one answered must then be readable at GET /api/transactions/{id} with its time, amount and
 * label.
 */
import type { Transaction } from '@vigil/core';
import { oddFeedback, oddTransaction } from '@vigil/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { poll, useSystem } from './system-test-support.js';

/** Generated batches per edge, of 1–16 transactions each: about 100 transactions. */
const RUNS = 12;

interface Detail {
  transaction_id: string;
  timestamp: string;
  amount: number;
  label: string | null;
}

describe.each(['workerd', 'node'] as const)('odd but valid inputs, edge on %s', (edge) => {
  const sut = useSystem(edge);

  const post = async (path: string, body: unknown) => {
    const r = await sut.post(path, body);
    return { status: r.status, text: await r.text() };
  };

  /** The transaction as the analysts' API shows it, once it has landed (with `label` if given). */
  const landed = (id: string, label: string | null) =>
    poll(async () => {
      const r = await fetch(`${sut.origin}/api/transactions/${encodeURIComponent(id)}`, {
        headers: sut.auth,
      });
      if (r.status === 404) return null;
      expect(r.status, await r.clone().text()).toBe(200);
      const d = (await r.json()) as Detail;
      return label === null || d.label === label ? d : null;
    }, 10_000);

  it('stores every transaction answered 200 and every verdict answered 202', async () => {
    const now = Date.now();
    let n = 0;
    const unique = (t: Transaction): Transaction => ({
      ...t,
      transaction_id: `${edge[0]}${++n}_${t.transaction_id}`.slice(0, 128),
    });
    // Verdicts go on recent transactions: the edge keeps what it scored for 45 days of event time
    // behind the newest it has seen, and answers a verdict on anything older 404 (by design).
    // Transactions of any time since 1970 are scored beside them, without a verdict.
    const recent = fc.array(oddTransaction(now, 'r', now - 30 * 86_400_000).map(unique), {
      minLength: 1,
      maxLength: 8,
    });
    const anyTime = fc.array(oddTransaction(now, 'a').map(unique), { maxLength: 8 });
    const batch = fc
      .tuple(recent, anyTime)
      .chain(([r, a]) =>
        fc.tuple(
          fc.constant(r),
          fc.constant(a),
          fc.tuple(...r.map((t) => oddFeedback(now, t.transaction_id))),
        ),
      );
    let landedCount = 0;
    await fc.assert(
      fc.asyncProperty(batch, async ([withVerdict, alone, verdicts]) => {
        // The first alone, the rest as a batch: both routes.
        const [first, ...rest] = [...withVerdict, ...alone];
        const one = await post('/v1/score', first);
        expect(one.status, one.text).toBe(200);
        if (rest.length > 0) {
          const many = await post('/v1/score/batch', { transactions: rest });
          expect(many.status, many.text).toBe(200);
        }
        const [v0, ...vs] = verdicts;
        const fb = await post('/v1/feedback', v0);
        expect(fb.status, fb.text).toBe(202);
        if (vs.length > 0) {
          const fbs = await post('/v1/feedback/batch', { feedback: vs });
          expect(fbs.status, fbs.text).toBe(202);
        }
        const label = new Map(verdicts.map((v) => [v.transaction_id, v.label]));
        for (const t of [first!, ...rest]) {
          const d = await landed(t.transaction_id, label.get(t.transaction_id) ?? null);
          // -0 is stored as 0; every other amount exactly.
          expect(d.amount).toBe(t.amount === 0 ? 0 : t.amount);
          // The instant sent, whatever its offset (the API shows milliseconds).
          expect(Math.abs(Date.parse(d.timestamp) - Date.parse(t.timestamp))).toBeLessThanOrEqual(
            1,
          );
          landedCount++;
        }
      }),
      // No shrinking: each step waits for the pipeline, and the first counterexample says enough.
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(landedCount).toBeGreaterThanOrEqual(RUNS);
  });
});
