import { describe, expect, it } from 'vitest';
import { SECONDS_PER_DAY, summarize, toRecord, type SimulatedDataset } from './dataset.js';
import {
  S2_WINDOW_DAYS,
  S3_CUSTOMERS_PER_DAY,
  S3_WINDOW_DAYS,
  S2_TERMINALS_PER_DAY,
} from './fraud-scenarios.js';
import { parseStartDate, resolveSimulateOptions, simulate } from './generate.js';
import {
  findAvailableTerminals,
  generateCustomerProfiles,
  generateTerminalProfiles,
} from './profiles.js';
import { stream } from './rng.js';
import { generateTransactions, roundCents } from './transactions.js';

const OPTIONS = { customers: 300, terminals: 600, days: 60, seed: 5, start: '2020-02-27' };
const ds = simulate(OPTIONS);
const start = parseStartDate(OPTIONS.start);
const dayOf = (i: number): number => Math.floor((ds.timeSec[i]! - start) / SECONDS_PER_DAY);

/** The same world before any fraud: profiles and genuine transactions, same seed. */
function genuine() {
  const customers = generateCustomerProfiles(OPTIONS.customers, OPTIONS.seed);
  const terminals = generateTerminalProfiles(OPTIONS.terminals, OPTIONS.seed);
  const available = findAvailableTerminals(customers, terminals, 5);
  return {
    customers,
    terminals,
    tx: generateTransactions(customers, available, OPTIONS.days, OPTIONS.seed),
  };
}

/** Rows failing a rule (at most 10), so a broken rule reports examples in one assertion. */
function rowsWhere(fails: (i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < ds.length && out.length < 10; i++) if (fails(i)) out.push(i);
  return out;
}

const sameBytes = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );

const columns = (d: SimulatedDataset) =>
  [d.timeSec, d.customer, d.terminal, d.amount, d.isFraud, d.scenario] as const;

describe('simulate: genuine transactions', () => {
  it('produces a non-trivial dataset', () => {
    expect(ds.length).toBeGreaterThan(20_000);
    expect(ds.startEpochSec).toBe(start);
    for (const c of columns(ds)) expect(c.length).toBe(ds.length);
  });

  it('sorts by time, ties by customer id', () => {
    let ties = 0;
    const bad = rowsWhere((i) => {
      if (i === 0) return false;
      const dt = ds.timeSec[i]! - ds.timeSec[i - 1]!;
      if (dt === 0) ties++;
      return dt < 0 || (dt === 0 && ds.customer[i]! < ds.customer[i - 1]!);
    });
    expect(bad).toEqual([]);
    expect(ties).toBeGreaterThan(0); // the tie rule was exercised
  });

  it('keeps seconds of day strictly inside (0, 86400) and days inside the range', () => {
    const bad = rowsWhere((i) => {
      const d = dayOf(i);
      const second = ds.timeSec[i]! - start - d * SECONDS_PER_DAY;
      return d < 0 || d >= OPTIONS.days || second <= 0 || !Number.isInteger(second);
    });
    expect(bad).toEqual([]);
  });

  it('uses only terminals within r of the customer and non-negative cent amounts', () => {
    const { customers, terminals } = genuine();
    const bad = rowsWhere((i) => {
      const c = ds.customer[i]!;
      const t = ds.terminal[i]!;
      const dist = Math.hypot(customers.x[c]! - terminals.x[t]!, customers.y[c]! - terminals.y[t]!);
      const a = ds.amount[i]!;
      return dist >= 5 || a < 0 || Math.round(a * 100) / 100 !== a;
    });
    expect(bad).toEqual([]);
  });

  it('draws about mean_nb_tx_per_day × days × P(0 < N(43200, 20000) < 86400) per customer', () => {
    const { customers } = genuine();
    let expected = 0;
    for (let c = 0; c < customers.count; c++) expected += customers.meanTxPerDay[c]!;
    expected *= OPTIONS.days * 0.9693;
    expect(Math.abs(ds.length - expected)).toBeLessThan(5 * Math.sqrt(expected));
  });
});

describe('simulate: fraud scenarios', () => {
  const { tx } = genuine();

  it('labels fraud exactly when a scenario is set', () => {
    expect(rowsWhere((i) => ds.isFraud[i] !== (ds.scenario[i]! > 0 ? 1 : 0))).toEqual([]);
    const s = summarize(ds).scenarios;
    expect(s.s1).toBeGreaterThan(0);
    expect(s.s2).toBeGreaterThan(0);
    expect(s.s3).toBeGreaterThan(0);
  });

  it('S1: amount > 220 exactly for scenario-1 rows and never for genuine ones', () => {
    expect(rowsWhere((i) => ds.scenario[i] === 1 && !(ds.amount[i]! > 220))).toEqual([]);
    expect(rowsWhere((i) => ds.scenario[i] === 0 && ds.amount[i]! > 220)).toEqual([]);
    // A genuine amount over 220 stays fraud even if a later scenario relabels it.
    expect(rowsWhere((i) => tx.amount[i]! > 220 && ds.isFraud[i] !== 1)).toEqual([]);
  });

  it('S2: every transaction on a compromised terminal within 28 days is fraud, and only those', () => {
    const compromisedUntil = new Map<number, number[]>(); // terminal → days it was drawn
    for (let d = 0; d < OPTIONS.days; d++) {
      const drawn = stream(OPTIONS.seed, 'scenario-2', d).sample(
        OPTIONS.terminals,
        S2_TERMINALS_PER_DAY,
      );
      for (const t of drawn) compromisedUntil.set(t, [...(compromisedUntil.get(t) ?? []), d]);
    }
    const inWindow = (i: number): boolean =>
      (compromisedUntil.get(ds.terminal[i]!) ?? []).some(
        (d) => dayOf(i) >= d && dayOf(i) < d + S2_WINDOW_DAYS,
      );
    expect(rowsWhere((i) => ds.scenario[i] === 2 && !inWindow(i))).toEqual([]);
    // Only scenario 3 may overwrite a scenario-2 label.
    expect(rowsWhere((i) => inWindow(i) && ds.scenario[i]! < 2)).toEqual([]);
  });

  it("S3: ⌊n/3⌋ of the drawn customers' 14-day transactions get amount × 5", () => {
    let multiplied = 0;
    const bad = rowsWhere((i) => {
      if (ds.scenario[i] !== 3) return ds.amount[i] !== tx.amount[i];
      multiplied++;
      // × 5, or × 25 … when two draws of the same customer overlap and pick the row twice.
      let a = tx.amount[i]!;
      for (let times = 0; times < 4; times++) {
        a = roundCents(a * 5);
        if (a === ds.amount[i]) return false;
      }
      return true;
    });
    expect(bad).toEqual([]);
    // Each day's draw: compromised customers and their rows in [day, day + 14).
    const picked = new Set<number>();
    let quota = 0;
    for (let d = 0; d < OPTIONS.days; d++) {
      const customers = new Set(
        stream(OPTIONS.seed, 'scenario-3', d).sample(OPTIONS.customers, S3_CUSTOMERS_PER_DAY),
      );
      let n = 0;
      for (let i = 0; i < ds.length; i++) {
        if (customers.has(ds.customer[i]!) && dayOf(i) >= d && dayOf(i) < d + S3_WINDOW_DAYS) {
          n++;
          if (ds.scenario[i] === 3) picked.add(i);
        }
      }
      quota += Math.floor(n / 3);
    }
    expect(picked.size).toBe(multiplied); // every S3 row belongs to some draw's window
    expect(multiplied).toBeLessThanOrEqual(quota); // rows picked twice count once
    expect(multiplied).toBeGreaterThan(quota * 0.8);
  });
});

describe('simulate: determinism and options', () => {
  it('gives identical columns for the same seed', () => {
    const again = simulate(OPTIONS);
    expect(again.length).toBe(ds.length);
    columns(again).forEach((c, k) => expect(sameBytes(c, columns(ds)[k]!)).toBe(true));
  });

  it('gives a different dataset for another seed', () => {
    const other = simulate({ ...OPTIONS, seed: 6 });
    expect(other.length === ds.length && other.amount.every((a, i) => a === ds.amount[i])).toBe(
      false,
    );
  });

  it('places time at the start date (UTC) and formats records for the API', () => {
    const r = toRecord(ds, 0);
    expect(Object.keys(r)).toEqual([
      'transaction_id',
      'timestamp',
      'customer_id',
      'terminal_id',
      'amount',
      'currency',
      'is_fraud',
      'fraud_scenario',
    ]);
    expect(r.transaction_id).toBe('tx_0');
    expect(r.timestamp).toMatch(/^2020-02-27T\d{2}:\d{2}:\d{2}Z$/);
    expect(Date.parse(r.timestamp) / 1000).toBe(ds.timeSec[0]);
    expect(r.customer_id).toBe(`c_${ds.customer[0]!}`);
    expect(r.terminal_id).toBe(`t_${ds.terminal[0]!}`);
    expect(r.currency).toBe('EUR');
    // 2020 is a leap year: day 2 is Feb 29.
    const last = toRecord(ds, ds.length - 1).timestamp;
    expect(last.slice(0, 10)).toBe('2020-04-26');
    expect(() => toRecord(ds, ds.length)).toThrow(RangeError);
  });

  it('summarizes counts consistently', () => {
    const s = summarize(ds);
    expect(s.transactions).toBe(ds.length);
    expect(s.frauds).toBe(s.scenarios.s1 + s.scenarios.s2 + s.scenarios.s3);
    expect(s.fraud_rate).toBeCloseTo(s.frauds / s.transactions, 12);
    expect(s.days).toBe(OPTIONS.days);
    expect(s.start).toBe(OPTIONS.start);
    expect(s.per_day.transactions.reduce((a, b) => a + b, 0)).toBe(ds.length);
    expect(s.per_day.frauds.reduce((a, b) => a + b, 0)).toBe(s.frauds);
    expect(s.first_timestamp).toBe(toRecord(ds, 0).timestamp);
    expect(s.last_timestamp).toBe(toRecord(ds, ds.length - 1).timestamp);
  });

  it('validates options', () => {
    expect(resolveSimulateOptions({ seed: undefined }).seed).toBe(0);
    expect(() => simulate({ customers: 0 })).toThrow(/customers/);
    expect(() => simulate({ days: 1.5 })).toThrow(/days/);
    expect(() => simulate({ start: '2018-02-30' })).toThrow(/start/);
    expect(() => simulate({ start: '2018-4-1' })).toThrow(/start/);
    expect(() => simulate({ radius: -1 })).toThrow(/radius/);
    expect(() => simulate({ seed: -1 })).toThrow(/seed/);
  });

  it('handles tiny worlds (fewer terminals and customers than a day draws)', () => {
    const tiny = simulate({ customers: 2, terminals: 1, days: 10, radius: 200 });
    expect(tiny.length).toBeGreaterThan(0);
    expect(tiny.terminal.every((t) => t === 0)).toBe(true);
    expect(tiny.scenario.some((s) => s === 2)).toBe(true);
  });
});
