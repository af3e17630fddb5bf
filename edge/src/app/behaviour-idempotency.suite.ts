/** Edge behaviour, a transaction id is scored once: replays answer the first answer, a reused id is refused, and neither changes state (twin worlds). Run by behaviour.suite.ts. */
import { expect, it } from 'vitest';
import { at, type BehaviourContext, content, expectProblem } from './behaviour-support.js';

export function idempotencyBehaviour({ api, tx, world }: BehaviourContext): void {
  it('replays a transaction id: first answer, replayed: true, no state change', async () => {
    const [x, y, z] = [world('rx'), world('ry'), world('rz')];
    const first = tx({ ...x, amount: 900, timestamp: at(1, 9) });
    const a = await api.score(first);
    await api.score(tx({ ...y, amount: 900, timestamp: at(1, 9) }));
    await api.score(tx({ ...z, amount: 900, timestamp: at(1, 9) }));
    // The same id and payload again is the first answer and changes nothing — with the time
    // spelled in another zone, or other optional fields (no feature reads them), too.
    expect(await api.score(first)).toEqual({ ...a, replayed: true });
    const respelled = { ...first, timestamp: '2024-03-05T10:00:00+01:00', currency: 'USD' };
    expect(respelled.timestamp).not.toBe(first.timestamp);
    expect(await api.score(respelled)).toEqual({ ...a, replayed: true });
    // World z gets the same transactions as fresh ones: its state does change.
    for (let k = 0; k < 5; k++) await api.score(tx({ ...z, amount: 900, timestamp: at(1, 11) }));
    const probe = (w: typeof x) => api.score(tx({ ...w, amount: 30, timestamp: at(1, 12) }));
    const [px, py, pz] = [await probe(x), await probe(y), await probe(z)];
    expect(content(px)).toEqual(content(py));
    expect(content(pz)).not.toEqual(content(py));
  });

  it('refuses a transaction id reused with another payload: 422, nothing changed', async () => {
    const [x, y, z] = [world('ux'), world('uy'), world('uz')];
    const first = tx({ ...x, amount: 120, timestamp: at(1, 14) });
    const a = await api.score(first);
    await api.score(tx({ ...y, amount: 120, timestamp: at(1, 14) }));
    await api.score(tx({ ...z, amount: 120, timestamp: at(1, 14) }));
    const counter = 'vigil_id_conflicts_total';
    const before = await api.metric(counter);
    const reused = (p: { type: string; errors?: { path: string; message: string }[] }) => {
      expect(p.type).toBe('urn:vigil:problem:transaction-id-reused');
      for (const e of p.errors ?? []) expect(e.message).toContain(first.transaction_id);
      return p.errors?.map((e) => e.path);
    };
    for (const other of [
      { amount: 120.01 },
      { customer_id: y.customer_id },
      { terminal_id: y.terminal_id },
      { timestamp: at(1, 14, 1) },
    ]) {
      const p = expectProblem(await api.post('/v1/score', { ...first, ...other }), 422);
      expect(reused(p), JSON.stringify(other)).toEqual(['/transaction_id']);
    }
    // In a batch the item is named by index, and nothing of the batch is scored; an id new to
    // the edge repeated with two payloads inside one batch is refused the same way.
    const later = tx({ ...x, amount: 50, timestamp: at(1, 15) });
    const b = await api.post('/v1/score/batch', {
      transactions: [later, { ...first, amount: 1 }],
    });
    expect(reused(expectProblem(b, 422))).toEqual(['/transactions/1/transaction_id']);
    const twice = tx({ ...x, amount: 60, timestamp: at(1, 16) });
    const d = await api.post('/v1/score/batch', {
      transactions: [twice, { ...twice, amount: 61 }],
    });
    expect(expectProblem(d, 422).errors?.map((e) => e.path)).toEqual([
      '/transactions/1/transaction_id',
    ]);
    expect(await api.metric(counter)).toBe(before + 6);
    // The first payload still gets the first answer.
    expect(await api.score(first)).toEqual({ ...a, replayed: true });
    // World x saw nothing of the refused requests: it answers as its twin y does, whereas z,
    // given five more transactions, does not.
    for (let k = 0; k < 5; k++) await api.score(tx({ ...z, amount: 900, timestamp: at(1, 15) }));
    const probe = (w: typeof x) => api.score(tx({ ...w, amount: 30, timestamp: at(1, 17) }));
    const [px, py, pz] = [await probe(x), await probe(y), await probe(z)];
    expect(content(px)).toEqual(content(py));
    expect(content(pz)).not.toEqual(content(py));
    // …and the refused batches recorded nothing: their items are new.
    expect((await api.batch([later, twice])).map((r) => r.replayed)).toEqual([false, false]);
  });
}
