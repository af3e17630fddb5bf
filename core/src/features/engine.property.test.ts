import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { F, N_FEATURES } from './feature-names.js';
import { applyLabel, computeFeatures, dayOf, stepInPlace } from './engine.js';
import { newCustomerState, newTerminalState } from './state-layout.js';

const DAY = 86_400;
const BASE = Date.parse('2018-04-01T00:00:00Z') / 1000;

interface Ev {
  timeSec: number;
  amount: number;
}

const amountArb = fc
  .double({ min: 0, max: 5000, noNaN: true, noDefaultInfinity: true })
  .map((a) => Math.round(a * 100) / 100);
const evArb = (days: number) =>
  fc.record({
    timeSec: fc.integer({ min: 0, max: days * DAY - 1 }).map((s) => BASE + s),
    amount: amountArb,
  });

function run(events: readonly Ev[]) {
  const c = newCustomerState();
  const t = newTerminalState();
  const out = new Float32Array(N_FEATURES);
  for (const e of events) stepInPlace(c, t, e, out);
  return { c, t };
}

function probe(c: Float64Array, t: Float64Array, e: Ev): Float32Array {
  const out = new Float32Array(N_FEATURES);
  computeFeatures(c, t, e, out);
  return out;
}

/** Test oracle: the handbook's customer windows straight from the full event list. */
function oracle(history: readonly Ev[], e: Ev) {
  const d = dayOf(e.timeSec);
  const within = (n: number) =>
    history.filter((h) => dayOf(h.timeSec) <= d && dayOf(h.timeSec) > d - n);
  const agg = (n: number) => {
    const w = within(n);
    return {
      n: w.length + 1,
      avg: (w.reduce((s, h) => s + h.amount, 0) + e.amount) / (w.length + 1),
    };
  };
  return { d1: agg(1), d7: agg(7), d30: agg(30) };
}

describe('feature engine properties', () => {
  it('matches a brute-force oracle for the customer windows on any time-ordered stream', () => {
    fc.assert(
      fc.property(fc.array(evArb(90), { maxLength: 60 }), evArb(90), (evs, last) => {
        const sorted = [...evs].sort((a, b) => a.timeSec - b.timeSec);
        const probeEv = { ...last, timeSec: Math.max(last.timeSec, sorted.at(-1)?.timeSec ?? 0) };
        const { c, t } = run(sorted);
        const f = probe(c, t, probeEv);
        const o = oracle(sorted, probeEv);
        expect(f[F.customer_nb_tx_1d]).toBe(o.d1.n);
        expect(f[F.customer_nb_tx_7d]).toBe(o.d7.n);
        expect(f[F.customer_nb_tx_30d]).toBe(o.d30.n);
        expect(f[F.customer_avg_amount_1d]).toBeCloseTo(o.d1.avg, 2);
        expect(f[F.customer_avg_amount_7d]).toBeCloseTo(o.d7.avg, 2);
        expect(f[F.customer_avg_amount_30d]).toBeCloseTo(o.d30.avg, 2);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same state whatever the order of events with equal timestamps', () => {
    fc.assert(
      fc.property(
        fc.array(evArb(40), { maxLength: 20 }),
        fc.integer({ min: 0, max: 40 * DAY }),
        fc.array(amountArb, { minLength: 2, maxLength: 8 }),
        fc.func(fc.integer()),
        (before, at, amounts, shuffleKey) => {
          const sorted = [...before].sort((a, b) => a.timeSec - b.timeSec);
          const t = Math.max(BASE + at, sorted.at(-1)?.timeSec ?? 0);
          const same = amounts.map((amount) => ({ timeSec: t, amount }));
          const shuffled = same
            .map((e, i) => ({ e, k: shuffleKey(i) }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.e);
          const a = run([...sorted, ...same]);
          const b = run([...sorted, ...shuffled]);
          // Sums of floats may differ in the last bit with order; compare to the cent.
          expect(a.c.length).toBe(b.c.length);
          a.c.forEach((v, i) => expect(b.c[i]).toBeCloseTo(v, 6));
          expect(a.t).toEqual(b.t);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('counts a customer event in the n-day window exactly when its day is one of the last n', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: DAY - 1 }),
        fc.integer({ min: 0, max: DAY - 1 }),
        (back, s1, s2) => {
          const probeT = BASE + 60 * DAY + s2;
          const evT = BASE + (60 - back) * DAY + s1;
          if (evT > probeT) return;
          const { c, t } = run([{ timeSec: evT, amount: 10 }]);
          const f = probe(c, t, { timeSec: probeT, amount: 10 });
          expect(f[F.customer_nb_tx_1d]).toBe(back < 1 ? 2 : 1);
          expect(f[F.customer_nb_tx_7d]).toBe(back < 7 ? 2 : 1);
          expect(f[F.customer_nb_tx_30d]).toBe(back < 30 ? 2 : 1);
        },
      ),
    );
  });

  it('raises terminal risk for a fraud label only when the transaction day is in a delayed window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 45 }),
        fc.integer({ min: 0, max: DAY - 1 }),
        fc.boolean(),
        (back, s, labelFirst) => {
          const probeT = BASE + 60 * DAY + 43_200;
          const txT = BASE + (60 - back) * DAY + s;
          if (txT > probeT) return;
          const c = newCustomerState();
          const term = newTerminalState();
          const out = new Float32Array(N_FEATURES);
          // A label that arrives before its transaction has reached the state changes nothing.
          if (labelFirst) applyLabel(term, txT, 1);
          stepInPlace(c, term, { timeSec: txT, amount: 5 }, out);
          const before = probe(c, term, { timeSec: probeT, amount: 5 });
          if (!labelFirst) applyLabel(term, txT, 1);
          const f = probe(c, term, { timeSec: probeT, amount: 5 });
          if (labelFirst) {
            expect(f).toEqual(before);
            return;
          }
          const inWin = (n: number) => back >= 7 && back < 7 + n;
          expect(f[F.terminal_risk_1d_delay7]).toBe(inWin(1) ? 1 : 0);
          expect(f[F.terminal_risk_7d_delay7]).toBe(inWin(7) ? 1 : 0);
          expect(f[F.terminal_risk_30d_delay7]).toBe(inWin(30) ? 1 : 0);
          expect(f[F.terminal_nb_tx_30d_delay7]).toBe(inWin(30) ? 1 : 0);
        },
      ),
    );
  });

  it('keeps state bounded: history older than the windows does not change the features', () => {
    fc.assert(
      fc.property(
        fc.array(evArb(200), { maxLength: 80 }),
        fc.array(evArb(30), { maxLength: 30 }),
        evArb(1),
        (old, recent, last) => {
          // `recent` covers days 300…329; `old` lies in days 0…199, long outside every window.
          const shift = (e: Ev, days: number) => ({ ...e, timeSec: e.timeSec + days * DAY });
          const rec = recent.map((e) => shift(e, 300)).sort((a, b) => a.timeSec - b.timeSec);
          const lastEv = shift(last, 330);
          const withOld = run([...[...old].sort((a, b) => a.timeSec - b.timeSec), ...rec]);
          const without = run(rec);
          const a = probe(withOld.c, withOld.t, lastEv);
          const b = probe(without.c, without.t, lastEv);
          expect(a).toEqual(b);
          expect(withOld.c.length).toBe(without.c.length);
          expect(withOld.t.length).toBe(without.t.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('state op programs', () => {
  it('apply exactly like the in-place updates', async () => {
    const { applyOps } = await import('./state-ops.js');
    const {
      applyCustomerLabel,
      customerLabelOps,
      customerOps,
      terminalOps,
      labelOps,
      updateCustomer,
      updateTerminal,
    } = await import('./engine.js');
    fc.assert(
      fc.property(fc.array(fc.tuple(evArb(60), fc.boolean()), { maxLength: 60 }), (evs) => {
        const c1 = newCustomerState();
        const t1 = newTerminalState();
        const c2 = newCustomerState();
        const t2 = newTerminalState();
        for (const [e, fraud] of evs) {
          updateCustomer(c1, e);
          updateTerminal(t1, e);
          applyOps(c2, customerOps(e));
          applyOps(t2, terminalOps(e));
          if (fraud) {
            applyLabel(t1, e.timeSec, 1);
            applyOps(t2, labelOps(e.timeSec, 1));
            applyCustomerLabel(c1, e.timeSec, 1);
            applyOps(c2, customerLabelOps(e.timeSec, 1));
          }
        }
        expect(c2).toEqual(c1);
        expect(t2).toEqual(t1);
      }),
    );
  });
});
