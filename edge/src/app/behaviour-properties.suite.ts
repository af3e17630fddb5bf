/** Edge behaviour, malformed input, property-based: never a 5xx, always problem+json, no state changed. Run by behaviour.suite.ts. */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  at,
  type BehaviourContext,
  content,
  expectProblem,
  type Reply,
} from './behaviour-support.js';

export function propertiesBehaviour({ api, tx, world, options }: BehaviourContext): void {
  describe('malformed input (property-based)', () => {
    const runs = options.propertyRuns ?? 60;
    const fields = ['transaction_id', 'timestamp', 'customer_id', 'terminal_id', 'amount'] as const;

    /** A transaction made invalid in one of four ways. */
    const invalidTx = (w: { customer_id: string; terminal_id: string }) =>
      fc
        .tuple(
          fc.constantFrom(...fields),
          fc.oneof(
            fc.constant({ kind: 'missing' as const }),
            fc.record({
              kind: fc.constant('wrong-type' as const),
              value: fc.oneof(fc.boolean(), fc.constant(null), fc.array(fc.integer()), fc.object()),
            }),
            fc.record({
              kind: fc.constant('huge' as const),
              value: fc.string({ minLength: 129 }),
            }),
            fc.record({
              kind: fc.constant('unknown-field' as const),
              key: fc.string({ minLength: 1 }).filter((k) => !(k in tx({ ...w }))),
              value: fc.jsonValue(),
            }),
          ),
        )
        .map(([field, m]) => {
          const t: Record<string, unknown> = { ...tx({ ...w }) };
          if (m.kind === 'missing') delete t[field];
          else if (m.kind === 'unknown-field') t[m.key] = m.value;
          // A long string breaks every field: ids are ≤ 128, amount is a number, timestamps RFC 3339.
          else t[field] = m.value;
          return t;
        });

    it('never answers 5xx, always problem+json, and changes no state', async () => {
      const [a, b, c] = [world('pa'), world('pb'), world('pc')];
      const seen: number[] = [];
      const check = (path: string, r: Reply) => {
        seen.push(r.status);
        if (r.status < 400 || r.status >= 500) throw new Error(`${path}: ${r.status} ${r.text}`);
        expectProblem(r, r.status);
      };
      const payload = fc.oneof(
        fc.jsonValue().map((v) => ({ kind: 'json' as const, v })),
        invalidTx(a).map((v) => ({ kind: 'json' as const, v })),
        fc
          .tuple(fc.array(fc.constant(null), { maxLength: 4 }), invalidTx(a))
          .map(([before, bad]) => ({
            kind: 'json' as const,
            v: { transactions: [...before.map(() => tx({ ...a })), bad] },
          })),
        fc.string().map((s) => ({ kind: 'raw' as const, v: `{${s}` })),
      );
      await fc.assert(
        fc.asyncProperty(
          payload,
          fc.constantFrom('/v1/score', '/v1/score/batch', '/v1/feedback', '/v1/feedback/batch'),
          async (p, path) => {
            const r =
              p.kind === 'raw'
                ? await api.request('POST', path, { raw: p.v })
                : await api.post(path, p.v);
            check(path, r);
          },
        ),
        { numRuns: runs },
      );
      expect(seen.length).toBe(runs);
      // World a received every malformed transaction and batch; b nothing; c one real transaction.
      await api.score(tx({ ...c }));
      const probe = (w: typeof a) => api.score(tx({ ...w, amount: 77, timestamp: at(0, 11) }));
      const [pa, pb, pc] = [await probe(a), await probe(b), await probe(c)];
      expect(content(pa)).toEqual(content(pb));
      expect(content(pc)).not.toEqual(content(pb));
    });
  });
}
