/**
 * Verdicts out of timestamp order (issue 13, found after its fixes): the edge and Postgres must
 * keep the same verdict in force — the latest by time, ties broken as Postgres breaks them — or the
 * dashboard shows one label while the edge's features count another. Through the whole system as
 * `npm start` and `npm run start:node` run it: the label at GET /api/transactions/{id} is checked
 * against the edge's effective label, read from the card's next transaction's
 * `customer_known_frauds_30d` as that transaction's detail shows it.
 */
import { describe, expect, it } from 'vitest';
import { poll, useSystem } from './system-test-support.js';

interface Detail {
  label: string | null;
  feedback: { label: string }[];
  features: Record<string, number>;
}

const HOUR = 3_600_000;
/** An ISO time in whole seconds, `ms` milliseconds since the epoch, with `fraction` digits. */
const at = (ms: number, fraction = '') =>
  `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}${fraction}Z`;

describe.each(['workerd', 'node'] as const)('verdicts out of order, edge on %s', (edge) => {
  const sut = useSystem(edge);
  const now = Date.now();

  const post = async (path: string, body: unknown) => {
    const r = await sut.post(path, body);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const detail = async (id: string): Promise<Detail | null> => {
    const r = await fetch(`${sut.origin}/api/transactions/${id}`, { headers: sut.auth });
    return r.status === 200 ? ((await r.json()) as Detail) : null;
  };
  const score = async (id: string, card: string, ms: number) => {
    const r = await post('/v1/score', {
      transaction_id: id,
      timestamp: at(ms),
      customer_id: card,
      terminal_id: `t_${card}`,
      amount: 42,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };

  /**
   * The label Postgres keeps once all `verdicts` have landed, and the number of frauds the edge
   * counts on the card, from the features of a transaction scored on the card afterwards.
   */
  const labels = async (id: string, card: string, verdicts: number) => {
    const stored = await poll(async () => {
      const d = await detail(id);
      return d && d.feedback.length === verdicts && d.label !== null ? d : null;
    }, 10_000);
    await score(`${id}_next`, card, now - 3 * HOUR + 60_000);
    const next = await poll(() => detail(`${id}_next`), 10_000);
    return { label: stored.label, edgeFrauds: next.features.customer_known_frauds_30d };
  };

  it('keeps the later verdict when an older one arrives after it', async () => {
    const [id, card] = [`tx_o1_${edge}`, `c_o1_${edge}`];
    await score(id, card, now - 3 * HOUR);
    const fraud = await post('/v1/feedback', {
      transaction_id: id,
      label: 'fraud',
      timestamp: at(now - HOUR),
    });
    expect(fraud).toEqual({
      status: 202,
      body: { transaction_id: id, label: 'fraud', outcome: 'applied' },
    });
    // Dated an hour before the fraud: recorded as an event, changes nothing at the edge.
    const older = await post('/v1/feedback', {
      transaction_id: id,
      label: 'legitimate',
      timestamp: at(now - 2 * HOUR),
    });
    expect(older.status).toBe(202);
    expect(older.body.outcome).toBe('unchanged');
    expect(await labels(id, card, 2)).toEqual({ label: 'fraud', edgeFrauds: 1 });
  });

  it('breaks a tie of verdict times in one batch as Postgres does', async () => {
    const [id, card] = [`tx_o2_${edge}`, `c_o2_${edge}`];
    await score(id, card, now - 3 * HOUR);
    const t = at(now - HOUR);
    const batch = await post('/v1/feedback/batch', {
      feedback: [
        { transaction_id: id, label: 'legitimate', timestamp: t },
        { transaction_id: id, label: 'fraud', timestamp: t },
      ],
    });
    expect(batch).toEqual({ status: 202, body: { accepted: 2, applied: 1, unchanged: 1 } });
    expect(await labels(id, card, 2)).toEqual({ label: 'legitimate', edgeFrauds: 0 });
  });

  it('compares verdict times at the microseconds Postgres keeps', async () => {
    const [id, card] = [`tx_o3_${edge}`, `c_o3_${edge}`];
    await score(id, card, now - 3 * HOUR);
    // The fraud is later by 300 ns, but both are the same microsecond in Postgres: a tie, which
    // legitimate wins there; so it must at the edge (comparing nanoseconds would count the fraud).
    const legitimate = await post('/v1/feedback', {
      transaction_id: id,
      label: 'legitimate',
      timestamp: at(now - HOUR, '.0000001'),
    });
    expect(legitimate.body.outcome).toBe('applied');
    const fraud = await post('/v1/feedback', {
      transaction_id: id,
      label: 'fraud',
      timestamp: at(now - HOUR, '.0000004'),
    });
    expect(fraud.status).toBe(202);
    expect(fraud.body.outcome).toBe('unchanged');
    expect(await labels(id, card, 2)).toEqual({ label: 'legitimate', edgeFrauds: 0 });
  });
});
