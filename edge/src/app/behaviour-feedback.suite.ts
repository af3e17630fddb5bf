/** Edge behaviour, feedback: verdicts move the terminal risk, unknown ids and impossible times are refused, all or nothing. Run by behaviour.suite.ts. */
import { expect, it } from 'vitest';
import { at, type BehaviourContext, content, expectProblem } from './behaviour-support.js';

export function feedbackBehaviour({ api, id, tx, world }: BehaviourContext): void {
  it('raises the terminal risk with fraud feedback, withdraws it with legitimate', async () => {
    const [f, n] = [id('ft'), id('nt')];
    const day0 = (terminal: string) =>
      [8, 9, 10, 11].map((h) =>
        tx({ customer_id: id('fc'), terminal_id: terminal, timestamp: at(3, h) }),
      );
    const fraudTxs = day0(f);
    await api.batch(fraudTxs);
    await api.batch(day0(n));
    const feedback = fraudTxs.map((t) => ({
      transaction_id: t.transaction_id,
      label: 'fraud',
      timestamp: at(10, 9),
    }));
    const r = await api.post('/v1/feedback/batch', { feedback });
    expect(r.status).toBe(202);
    expect(r.json()).toEqual({ accepted: 4, applied: 4, unchanged: 0 });
    const again = await api.post('/v1/feedback/batch', { feedback });
    expect(again.json()).toEqual({ accepted: 4, applied: 0, unchanged: 4 });
    // Seven days later the labelled terminal's risk shows; the twin terminal's does not.
    const probe = (terminal: string, hour: number) =>
      api.score(tx({ customer_id: id('pc'), terminal_id: terminal, timestamp: at(10, hour) }));
    const [pf, pn] = [await probe(f, 10), await probe(n, 10)];
    expect(pf.score).toBeGreaterThan(pn.score);
    // `legitimate` withdraws each fraud: the terminals are twins again.
    for (const t of fraudTxs) {
      const one = await api.post('/v1/feedback', {
        transaction_id: t.transaction_id,
        label: 'legitimate',
        timestamp: at(10, 11),
      });
      expect(one.status).toBe(202);
      expect(one.json()).toEqual({
        transaction_id: t.transaction_id,
        label: 'legitimate',
        outcome: 'applied',
      });
    }
    const [qf, qn] = [await probe(f, 12), await probe(n, 12)];
    expect(content(qf)).toEqual(content(qn));
  });

  it('answers 404 naming unknown transaction ids, applying nothing', async () => {
    const known = tx({ ...world('fk') });
    await api.score(known);
    const unknownId = id('never');
    const single = expectProblem(
      await api.post('/v1/feedback', {
        transaction_id: unknownId,
        label: 'fraud',
        timestamp: at(5, 0),
      }),
      404,
    );
    expect(single.errors?.map((e) => e.path)).toEqual(['/transaction_id']);
    expect(single.errors?.[0]?.message).toContain(unknownId);
    const batch = expectProblem(
      await api.post('/v1/feedback/batch', {
        feedback: [
          { transaction_id: known.transaction_id, label: 'fraud', timestamp: at(5, 0) },
          { transaction_id: unknownId, label: 'fraud', timestamp: at(5, 0) },
        ],
      }),
      404,
    );
    expect(batch.errors?.map((e) => e.path)).toEqual(['/feedback/1/transaction_id']);
    expect(batch.detail).toContain(unknownId);
    // All or nothing: the known transaction's fraud label was not applied.
    const applied = await api.post('/v1/feedback', {
      transaction_id: known.transaction_id,
      label: 'fraud',
      timestamp: at(5, 0),
    });
    expect((applied.json() as { outcome: string }).outcome).toBe('applied');
  });

  it('refuses verdict times outside 1970 … a day ahead, naming /timestamp, applying nothing', async () => {
    const known = tx({ ...world('vt') });
    await api.score(known);
    for (const timestamp of ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z']) {
      const one = { transaction_id: known.transaction_id, label: 'fraud', timestamp };
      const p = expectProblem(await api.post('/v1/feedback', one), 400);
      expect(p.errors?.map((e) => e.path)).toEqual(['/timestamp']);
      const good = { ...one, timestamp: at(5, 0) };
      const b = expectProblem(await api.post('/v1/feedback/batch', { feedback: [good, one] }), 400);
      expect(b.errors?.map((e) => e.path)).toEqual(['/feedback/1/timestamp']);
    }
    // Nothing was applied: the first real verdict is new.
    const r = await api.post('/v1/feedback', {
      transaction_id: known.transaction_id,
      label: 'fraud',
      timestamp: '2024-03-09T10:00:00.123456789+16:00',
    });
    expect(r.status).toBe(202);
    expect((r.json() as { outcome: string }).outcome).toBe('applied');
  });
}
