/**
 * The FeatureStore contract as a test suite, run against every adapter (memory, Redis over TCP,
 * Redis over Upstash REST): same stream in, same outcomes and bit-identical states out. The
 * reference is core's own fold (updateCustomer / updateTerminal / applyLabel / applyCustomerLabel)
 * in `ReferenceStore`.
 */
import {
  applyCustomerLabel,
  applyLabel,
  newCustomerState,
  newTerminalState,
  updateCustomer,
  updateTerminal,
  type CustomerState,
  type FeatureStore,
  type LabelBatchOutcome,
  type ListChange,
  type ListKind,
  LIST_KINDS,
  type StepOutcome,
  VELOCITY_NAMES,
  VELOCITY_TX_SLOTS,
  type StoreLabel,
  type StoreTransaction,
  type TerminalState,
  samePayload,
  verdictSupersedes,
  type VerdictInForce,
} from '@vigil/core';
import { afterEach, describe, expect, it } from 'vitest';
import { verdict, VERDICT_T0_US } from './test-verdict.js';

const DAY = 86_400;
const T0 = Date.UTC(2024, 4, 1, 10) / 1000;

/** A transaction of customer c1 at terminal t1, `dayOffset` days after T0. */
function tx(id: string, dayOffset = 0, over: Partial<StoreTransaction> = {}): StoreTransaction {
  return {
    transactionId: id,
    customerId: 'c1',
    terminalId: 't1',
    timeSec: T0 + dayOffset * DAY,
    amount: 10,
    ...over,
  };
}

/**
 * A state's bits as hex, one float64 per line: equal text = equal bits (-0 and NaN payloads
 * included), compared fast, and a failure shows which slot differs.
 */
function bytes(s: Float64Array): string {
  const view = new DataView(s.buffer, s.byteOffset, s.byteLength);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    out += `${i}: ${view
      .getBigUint64(i * 8, true)
      .toString(16)
      .padStart(16, '0')} (${s[i]})\n`;
  }
  return out;
}

/** The lists (one of each kind, sorted) that the list tests put a transaction's values on. */
const ONE_LIST_OF_EACH_KIND = [
  'bad_devices',
  'blocked_customers',
  'blocked_terminals',
  'proxies',
  'sanctioned',
];

function fresh(o: StepOutcome | undefined): {
  customer: CustomerState;
  terminal: TerminalState;
  velocity: Float64Array;
  lists: readonly string[];
} {
  if (o?.kind !== 'fresh') throw new Error(`expected a fresh outcome, got ${JSON.stringify(o)}`);
  return o;
}

/** The counters by name, for readable failures. */
function named(v: Float64Array): Record<string, number> {
  return Object.fromEntries(VELOCITY_NAMES.map((n, i) => [n, v[i]!]));
}

/**
 * The velocity counters computed naively from every transaction seen so far (not with core's
 * programs): for each counter, the transactions (distinct values) with the same key whose event
 * time is later than the scored one's minus the window, the scored one included; 0 when a field
 * it reads is absent. The transaction counters saturate at VELOCITY_TX_SLOTS, exactly; the
 * distinct counts are exact while no set has held more than VELOCITY_SET_SLOTS values
 * (velocity-state.ts), as in these streams.
 */
function naiveVelocity(seen: readonly StoreTransaction[], t: StoreTransaction): number[] {
  const within = (w: number) => seen.filter((x) => x.timeSec > t.timeSec - w);
  const distinct = (xs: readonly StoreTransaction[], f: (x: StoreTransaction) => unknown) =>
    new Set(xs.map(f).filter((v) => v !== undefined)).size;
  const hour = within(3_600);
  const day = within(DAY);
  const month = within(30 * DAY).filter((x) => x.customerId === t.customerId);
  const d = t.deviceId;
  const ip = t.ip;
  // The transaction counters keep the 32 latest stamps: past 32 they read exactly 32.
  const capped = (n: number) => Math.min(n, VELOCITY_TX_SLOTS);
  return [
    d ? capped(hour.filter((x) => x.deviceId === d).length) : 0,
    d
      ? distinct(
          day.filter((x) => x.deviceId === d),
          (x) => x.customerId,
        )
      : 0,
    ip ? capped(hour.filter((x) => x.ip === ip).length) : 0,
    ip
      ? distinct(
          day.filter((x) => x.ip === ip),
          (x) => x.customerId,
        )
      : 0,
    t.country ? distinct(month, (x) => x.country) : 0,
    d ? distinct(month, (x) => x.deviceId) : 0,
  ];
}

/** List membership as the port defines it: kind:value → list → expiry (ms, null = never). */
class ReferenceLists {
  private readonly items = new Map<string, Map<string, number | null>>();
  apply(changes: readonly ListChange[]): void {
    for (const c of changes) {
      const key = `${c.kind}:${c.value}`;
      if (c.op === 'add') {
        const on = this.items.get(key) ?? new Map<string, number | null>();
        on.set(c.list, c.expiresAtMs);
        this.items.set(key, on);
      } else this.items.get(key)?.delete(c.list);
    }
  }
  of(t: StoreTransaction, nowMs: number): string[] {
    const values: Record<ListKind, string | undefined> = {
      customer_id: t.customerId,
      terminal_id: t.terminalId,
      device_id: t.deviceId,
      ip: t.ip,
      country: t.country,
    };
    return LIST_KINDS.flatMap((k) => {
      const on = values[k] ? this.items.get(`${k}:${values[k]}`) : undefined;
      return on ? [...on].filter(([, e]) => e === null || e > nowMs).map(([n]) => n) : [];
    }).sort();
  }
}

/** core's fold with the port's semantics, kept in plain Maps: what every adapter must match. */
class ReferenceStore {
  /** Every transaction folded in, in order (the naive velocity reads them). */
  readonly folded: StoreTransaction[] = [];
  readonly lists = new ReferenceLists();
  readonly customers = new Map<string, CustomerState>();
  readonly terminals = new Map<string, TerminalState>();
  readonly records = new Map<
    string,
    {
      customerId: string;
      terminalId: string;
      timeSec: number;
      amount: number;
      verdict: VerdictInForce;
      answer?: string;
    }
  >();

  step(txs: readonly StoreTransaction[]): StepOutcome[] {
    // A reused id (against its record or its first occurrence in the call) refuses the call.
    const first = new Map<string, StoreTransaction>();
    const conflict = txs.map((t) => {
      const seen = this.records.get(t.transactionId) ?? first.get(t.transactionId);
      if (!seen) first.set(t.transactionId, t);
      return seen !== undefined && !samePayload(seen, t);
    });
    if (conflict.includes(true)) {
      return conflict.map((c) => ({ kind: c ? 'conflict' : 'skipped' }));
    }
    return txs.map((t): StepOutcome => {
      const seen = this.records.get(t.transactionId);
      if (seen) {
        return seen.answer === undefined
          ? { kind: 'pending' }
          : { kind: 'replay', answer: seen.answer };
      }
      const c = this.customers.get(t.customerId) ?? newCustomerState();
      const term = this.terminals.get(t.terminalId) ?? newTerminalState();
      this.folded.push(t);
      const before = {
        kind: 'fresh' as const,
        customer: c.slice(),
        terminal: term.slice(),
        velocity: Float64Array.from(naiveVelocity(this.folded, t)),
        lists: this.lists.of(t, this.nowMs),
      };
      updateCustomer(c, t);
      updateTerminal(term, t);
      this.customers.set(t.customerId, c);
      this.terminals.set(t.terminalId, term);
      this.records.set(t.transactionId, {
        customerId: t.customerId,
        terminalId: t.terminalId,
        timeSec: t.timeSec,
        amount: t.amount,
        verdict: undefined,
      });
      return before;
    });
  }

  saveAnswers(answers: readonly { transactionId: string; answer: string }[]): void {
    for (const a of answers) {
      const r = this.records.get(a.transactionId);
      if (r && r.answer === undefined) r.answer = a.answer;
    }
  }

  /** Verdicts that arrived after a later one for their transaction (what the stream covered). */
  late = 0;
  /** The wall clock lists expire by. */
  nowMs = 0;

  label(labels: readonly StoreLabel[]): LabelBatchOutcome {
    const unknown = labels.flatMap((l, i) => (this.records.has(l.transactionId) ? [] : [i]));
    if (unknown.length > 0) return { ok: false, unknown };
    return {
      ok: true,
      outcomes: labels.map((l) => {
        const r = this.records.get(l.transactionId)!;
        const current = r.verdict;
        if (!verdictSupersedes(current, l)) {
          if (current && l.timeUs < current.timeUs) this.late++;
          return 'unchanged';
        }
        r.verdict = { label: l.label, timeUs: l.timeUs };
        if (current?.label === l.label) return 'unchanged';
        const delta = l.label === 'fraud' ? 1 : current?.label === 'fraud' ? -1 : 0;
        const term = this.terminals.get(r.terminalId);
        if (delta !== 0 && term) applyLabel(term, r.timeSec, delta);
        const cust = this.customers.get(r.customerId);
        if (delta !== 0 && cust) applyCustomerLabel(cust, r.timeSec, delta);
        return 'applied';
      }),
    };
  }
}

/** The optional fields that are present (the port's fields are absent, not undefined-valued). */
function optional(fields: {
  deviceId: string | undefined;
  ip: string | undefined;
  country: string | undefined;
}): Partial<StoreTransaction> {
  const out: { deviceId?: string; ip?: string; country?: string } = {};
  if (fields.deviceId !== undefined) out.deviceId = fields.deviceId;
  if (fields.ip !== undefined) out.ip = fields.ip;
  if (fields.country !== undefined) out.country = fields.country;
  return out;
}

/** Deterministic PRNG (mulberry32), so a failing stream can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the contract hands an adapter's factory. */
export interface ContractStoreOptions {
  /** The wall clock list items expire by, epoch ms (the tests move it). */
  readonly now: () => number;
}

/**
 * Adapter-independent tests of a FeatureStore; `make` returns a store with an empty key space.
 * `wallClock`: the store cannot take the test's clock (the Durable Object, inside workerd); the
 * one test that moves the clock past an expiry is then left out — every other list test works
 * with expiries an hour either side of the real time.
 */
export function describeFeatureStoreContract(
  name: string,
  make: (options: ContractStoreOptions) => Promise<FeatureStore>,
  { wallClock = false }: { wallClock?: boolean } = {},
): void {
  describe(`FeatureStore contract: ${name}`, () => {
    const open: FeatureStore[] = [];
    /** The test's clock: the real time when a test starts, moved by `clock.set`. */
    const clock = { ms: Date.now() };
    async function store(): Promise<FeatureStore> {
      clock.ms = Date.now();
      const s = await make({ now: () => clock.ms });
      open.push(s);
      return s;
    }
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });

    it('answers a first sight with the fresh states, then replays the saved answer', async () => {
      const s = await store();
      const [first] = await s.step([tx('a')]);
      expect(bytes(fresh(first).customer)).toBe(bytes(newCustomerState()));
      expect(bytes(fresh(first).terminal)).toBe(bytes(newTerminalState()));
      await s.saveAnswers([{ transactionId: 'a', answer: '{"score":0.1,"note":"ü ✓"}' }]);
      expect(await s.step([tx('a')])).toEqual([
        { kind: 'replay', answer: '{"score":0.1,"note":"ü ✓"}' },
      ]);
      // A replay changes no state: the next transaction sees exactly one earlier one.
      const [next] = await s.step([tx('b')]);
      const expected = newCustomerState();
      updateCustomer(expected, tx('a'));
      expect(bytes(fresh(next).customer)).toBe(bytes(expected));
    });

    it('answers pending until the answer is saved, a duplicate within one batch included', async () => {
      const s = await store();
      const out = await s.step([tx('a'), tx('a')]);
      expect(out[0]?.kind).toBe('fresh');
      expect(out[1]).toEqual({ kind: 'pending' });
      expect(await s.step([tx('a')])).toEqual([{ kind: 'pending' }]);
      await s.saveAnswers([{ transactionId: 'a', answer: 'first' }]);
      await s.saveAnswers([{ transactionId: 'a', answer: 'second' }]);
      expect(await s.step([tx('a')])).toEqual([{ kind: 'replay', answer: 'first' }]);
    });

    it('refuses an id reused with another payload, changing nothing, and still replays it', async () => {
      const s = await store();
      const first = tx('a', 0, { amount: 25 });
      expect(fresh((await s.step([first]))[0])).toBeTruthy();
      // A repeat without its answer yet: pending for the same payload, conflict for another.
      expect(await s.step([first, tx('a', 0, { amount: 26 })])).toEqual([
        { kind: 'skipped' },
        { kind: 'conflict' },
      ]);
      await s.saveAnswers([{ transactionId: 'a', answer: 'first' }]);
      const others = [
        tx('a', 0, { amount: 25.000001 }),
        tx('a', 0, { amount: 0 }),
        tx('a', 0, { amount: 25, customerId: 'c2' }),
        tx('a', 0, { amount: 25, terminalId: 't2' }),
        tx('a', 1 / DAY, { amount: 25 }),
        tx('a', -3, { amount: 25 }),
      ];
      for (const other of others) {
        expect(await s.step([other]), JSON.stringify(other)).toEqual([{ kind: 'conflict' }]);
      }
      // The same payload still replays its first answer.
      expect(await s.step([{ ...first }])).toEqual([{ kind: 'replay', answer: 'first' }]);
      // Nothing of the refused calls was folded: the next transaction sees `first` alone, on the
      // card, at the terminal and at the other card and terminal the conflicts named.
      const [next, nextC2, nextT2] = await s.step([
        tx('b', 0.01),
        tx('b2', 0.01, { customerId: 'c2', terminalId: 't9' }),
        tx('b3', 0.01, { customerId: 'c9', terminalId: 't2' }),
      ]);
      const customer = newCustomerState();
      updateCustomer(customer, first);
      const terminal = newTerminalState();
      updateTerminal(terminal, first);
      expect(bytes(fresh(next).customer)).toBe(bytes(customer));
      expect(bytes(fresh(next).terminal)).toBe(bytes(terminal));
      expect(bytes(fresh(nextC2).customer)).toBe(bytes(newCustomerState()));
      expect(bytes(fresh(nextT2).terminal)).toBe(bytes(newTerminalState()));
    });

    it('applies nothing of a batch in which any item reuses an id with another payload', async () => {
      const s = await store();
      await s.step([tx('a', 0)]);
      await s.saveAnswers([{ transactionId: 'a', answer: 'A' }]);
      // A would-be-fresh item, a replay, a conflict with a record, a new id twice with two
      // payloads: the second one conflicts with the first, and the whole call is refused.
      const batch = [
        tx('b', 0.1),
        tx('a', 0),
        tx('a', 0, { amount: 11 }),
        tx('n', 0.2, { customerId: 'c2' }),
        tx('n', 0.2, { customerId: 'c3' }),
      ];
      expect(await s.step(batch)).toEqual([
        { kind: 'skipped' },
        { kind: 'skipped' },
        { kind: 'conflict' },
        { kind: 'skipped' },
        { kind: 'conflict' },
      ]);
      expect(await s.step([tx('n', 0.2, { customerId: 'c2' }), tx('n', 0.2)])).toEqual([
        { kind: 'skipped' },
        { kind: 'conflict' },
      ]);
      // Nothing was recorded or folded: b and n are new, and see only `a`.
      const out = await s.step([tx('b', 0.1), tx('n', 0.2, { customerId: 'c2' })]);
      const customer = newCustomerState();
      updateCustomer(customer, tx('a', 0));
      const terminal = newTerminalState();
      updateTerminal(terminal, tx('a', 0));
      expect(bytes(fresh(out[0]).customer)).toBe(bytes(customer));
      expect(bytes(fresh(out[0]).terminal)).toBe(bytes(terminal));
      expect(bytes(fresh(out[1]).customer)).toBe(bytes(newCustomerState()));
      updateTerminal(terminal, tx('b', 0.1));
      expect(bytes(fresh(out[1]).terminal)).toBe(bytes(terminal));
    });

    it('ignores answers for transactions it has not recorded', async () => {
      const s = await store();
      await s.saveAnswers([{ transactionId: 'ghost', answer: 'boo' }]);
      expect((await s.step([tx('ghost')]))[0]?.kind).toBe('fresh');
    });

    it('processes a batch in order: later items see the earlier ones', async () => {
      const s = await store();
      const a = tx('a', 0, { amount: 12.34 });
      const b = tx('b', 0.01, { amount: 0.1, terminalId: 't2' });
      const c = tx('c', 0.02, { amount: 7, customerId: 'c2' });
      const out = await s.step([a, b, c]);
      const customer = newCustomerState();
      updateCustomer(customer, a);
      expect(bytes(fresh(out[1]).customer)).toBe(bytes(customer));
      expect(bytes(fresh(out[1]).terminal)).toBe(bytes(newTerminalState()));
      const terminal = newTerminalState();
      updateTerminal(terminal, a);
      expect(bytes(fresh(out[2]).customer)).toBe(bytes(newCustomerState()));
      expect(bytes(fresh(out[2]).terminal)).toBe(bytes(terminal));
    });

    it('accepts empty batches', async () => {
      const s = await store();
      expect(await s.step([])).toEqual([]);
      expect(await s.label([])).toEqual({ ok: true, outcomes: [] });
      await s.saveAnswers([]);
    });

    it('applies labels all or nothing, naming every unknown transaction', async () => {
      const s = await store();
      await s.step([tx('a'), tx('b')]);
      expect(
        await s.label([
          verdict('a', 'fraud'),
          verdict('nope', 'fraud'),
          verdict('b', 'fraud'),
          verdict('also-nope', 'legitimate'),
        ]),
      ).toEqual({ ok: false, unknown: [1, 3] });
      // Nothing was applied: the terminal shows no fraud, and labelling now is a change.
      const [probe] = await s.step([tx('probe', 8)]);
      const terminal = newTerminalState();
      updateTerminal(terminal, tx('a'));
      updateTerminal(terminal, tx('b'));
      expect(bytes(fresh(probe).terminal)).toBe(bytes(terminal));
      expect(await s.label([verdict('a', 'fraud')])).toEqual({
        ok: true,
        outcomes: ['applied'],
      });
    });

    it('counts a fraud once at its terminal on its own day, and withdraws it', async () => {
      const s = await store();
      await s.step([tx('a', 0), tx('b', 1), tx('c', 1, { terminalId: 't2' })]);
      const terminal = newTerminalState();
      updateTerminal(terminal, tx('a', 0));
      updateTerminal(terminal, tx('b', 1));
      // A probe transaction nine days on reads the terminal back (as it was before the probe).
      const probeTerminal = async (id: string): Promise<string> =>
        bytes(fresh((await s.step([tx(id, 9)]))[0]).terminal);
      const expectTerminal = async (id: string): Promise<void> => {
        expect(await probeTerminal(id)).toBe(bytes(terminal));
        updateTerminal(terminal, tx(id, 9));
      };

      expect(await s.label([verdict('a', 'fraud'), verdict('a', 'fraud')])).toEqual({
        ok: true,
        outcomes: ['applied', 'unchanged'],
      });
      expect(await s.label([verdict('a', 'fraud')])).toEqual({
        ok: true,
        outcomes: ['unchanged'],
      });
      applyLabel(terminal, tx('a', 0).timeSec, 1);
      await expectTerminal('p1');

      expect(await s.label([verdict('a', 'legitimate')])).toEqual({
        ok: true,
        outcomes: ['applied'],
      });
      expect(await s.label([verdict('a', 'legitimate')])).toEqual({
        ok: true,
        outcomes: ['unchanged'],
      });
      applyLabel(terminal, tx('a', 0).timeSec, -1);
      await expectTerminal('p2');

      // Legitimate on an unlabelled transaction is recorded (applied) but moves no count.
      expect(await s.label([verdict('b', 'legitimate')])).toEqual({
        ok: true,
        outcomes: ['applied'],
      });
      await expectTerminal('p3');
      // …and a fraud label on another terminal's transaction leaves this one alone.
      expect(await s.label([verdict('c', 'fraud')])).toEqual({
        ok: true,
        outcomes: ['applied'],
      });
      await expectTerminal('p4');
    });

    it('counts a fraud once on its card on its own day, and withdraws it', async () => {
      const s = await store();
      await s.step([tx('a', 0), tx('b', 1), tx('c', 1, { customerId: 'c2' })]);
      const customer = newCustomerState();
      updateCustomer(customer, tx('a', 0));
      updateCustomer(customer, tx('b', 1));
      // A probe of card c1 two days on reads the card back (as it was before the probe).
      const expectCustomer = async (id: string): Promise<void> => {
        const probe = tx(id, 2);
        expect(bytes(fresh((await s.step([probe]))[0]).customer)).toBe(bytes(customer));
        updateCustomer(customer, probe);
      };
      expect(await s.label([verdict('a', 'fraud'), verdict('a', 'fraud')])).toEqual({
        ok: true,
        outcomes: ['applied', 'unchanged'],
      });
      applyCustomerLabel(customer, tx('a', 0).timeSec, 1);
      await expectCustomer('q1');
      expect(await s.label([verdict('a', 'legitimate')])).toEqual({
        ok: true,
        outcomes: ['applied'],
      });
      applyCustomerLabel(customer, tx('a', 0).timeSec, -1);
      await expectCustomer('q2');
      // A fraud on another card's transaction leaves this card alone.
      expect(await s.label([verdict('c', 'fraud')])).toEqual({
        ok: true,
        outcomes: ['applied'],
      });
      await expectCustomer('q3');
    });

    it('keeps the latest verdict by time, whatever order verdicts arrive in', async () => {
      const s = await store();
      await s.step([tx('a', 0), tx('b', 1)]);
      const customer = newCustomerState();
      updateCustomer(customer, tx('a', 0));
      updateCustomer(customer, tx('b', 1));
      const terminal = newTerminalState();
      updateTerminal(terminal, tx('a', 0));
      updateTerminal(terminal, tx('b', 1));
      // Probes of card c1 and terminal t1 read both back (as they were before the probe).
      let probes = 0;
      const expectStates = async (): Promise<void> => {
        const probe = tx(`o${++probes}`, 2);
        const out = fresh((await s.step([probe]))[0]);
        expect(bytes(out.customer), probe.transactionId).toBe(bytes(customer));
        expect(bytes(out.terminal), probe.transactionId).toBe(bytes(terminal));
        updateCustomer(customer, probe);
        updateTerminal(terminal, probe);
      };
      const at = (us: number) => VERDICT_T0_US + us;
      const fraudCounted = (delta: 1 | -1) => {
        applyCustomerLabel(customer, tx('a', 0).timeSec, delta);
        applyLabel(terminal, tx('a', 0).timeSec, delta);
      };

      // The repro of the dashboard's disagreement: fraud at noon, then legitimate dated 11:00.
      expect(await s.label([verdict('a', 'fraud', at(3_600_000_000))])).toEqual({
        ok: true,
        outcomes: ['applied'],
      });
      expect(await s.label([verdict('a', 'legitimate', at(0))])).toEqual({
        ok: true,
        outcomes: ['unchanged'],
      });
      fraudCounted(1);
      await expectStates();
      // A later legitimate withdraws it; the fraud again, older, does not come back.
      expect(
        await s.label([
          verdict('a', 'legitimate', at(3_600_000_001)),
          verdict('a', 'fraud', at(3_600_000_000)),
          verdict('a', 'fraud', at(1)),
        ]),
      ).toEqual({ ok: true, outcomes: ['applied', 'unchanged', 'unchanged'] });
      fraudCounted(-1);
      await expectStates();
      // A later fraud counts again.
      expect(await s.label([verdict('a', 'fraud', at(3_600_000_002))])).toEqual({
        ok: true,
        outcomes: ['applied'],
      });
      fraudCounted(1);
      await expectStates();
    });

    it('breaks a tie of verdict times as Postgres does: legitimate after fraud', async () => {
      const s = await store();
      await s.step([tx('a', 0), tx('b', 0.5)]);
      const customer = newCustomerState();
      updateCustomer(customer, tx('a', 0));
      updateCustomer(customer, tx('b', 0.5));
      const T = VERDICT_T0_US + 7;
      // In one batch, either order: legitimate stays in force, no fraud is counted.
      expect(await s.label([verdict('a', 'legitimate', T), verdict('a', 'fraud', T)])).toEqual({
        ok: true,
        outcomes: ['applied', 'unchanged'],
      });
      expect(await s.label([verdict('b', 'fraud', T), verdict('b', 'legitimate', T)])).toEqual({
        ok: true,
        outcomes: ['applied', 'applied'],
      });
      // The same verdict again changes nothing.
      expect(await s.label([verdict('a', 'legitimate', T), verdict('b', 'fraud', T)])).toEqual({
        ok: true,
        outcomes: ['unchanged', 'unchanged'],
      });
      const [probe] = await s.step([tx('probe', 2)]);
      expect(bytes(fresh(probe).customer)).toBe(bytes(customer));
    });

    it('keeps the time of a repeated verdict: an older other verdict then loses', async () => {
      const s = await store();
      await s.step([tx('a', 0)]);
      const customer = newCustomerState();
      updateCustomer(customer, tx('a', 0));
      expect(
        await s.label([
          verdict('a', 'fraud', VERDICT_T0_US + 1),
          verdict('a', 'fraud', VERDICT_T0_US + 5),
        ]),
      ).toEqual({ ok: true, outcomes: ['applied', 'unchanged'] });
      // Later than the first fraud, older than the second: the fraud stays in force.
      expect(await s.label([verdict('a', 'legitimate', VERDICT_T0_US + 3)])).toEqual({
        ok: true,
        outcomes: ['unchanged'],
      });
      applyCustomerLabel(customer, tx('a', 0).timeSec, 1);
      const [probe] = await s.step([tx('probe', 2)]);
      expect(bytes(fresh(probe).customer)).toBe(bytes(customer));
    });

    it('keeps ids apart across namespaces and takes any id of the allowed alphabet', async () => {
      const s = await store();
      const long = `x${'A9._:-'.repeat(21)}z`.slice(0, 128);
      const odd = [
        tx('t:1', 0, { customerId: 't:1', terminalId: 't:1' }),
        tx('tx:1', 0, { customerId: 'c:x', terminalId: 'x' }),
        tx('x', 0, { customerId: 'x', terminalId: 'tx:1' }),
        tx(long, 0, { customerId: long, terminalId: long, amount: 3 }),
        tx('-._:', 0, { customerId: '..', terminalId: '::' }),
        // Tokens are ASCII at the API; the stores are byte-safe anyway.
        tx('ünï-çødé', 0, { customerId: 'кли', terminalId: '端末' }),
      ];
      const out = await s.step(odd);
      for (const o of out) {
        expect(bytes(fresh(o).customer)).toBe(bytes(newCustomerState()));
        expect(bytes(fresh(o).terminal)).toBe(bytes(newTerminalState()));
      }
      await s.saveAnswers(
        odd.map((t) => ({ transactionId: t.transactionId, answer: `ans ${t.transactionId}` })),
      );
      expect(await s.step(odd)).toEqual(
        odd.map((t) => ({ kind: 'replay', answer: `ans ${t.transactionId}` })),
      );
      expect(await s.label(odd.map((t) => verdict(t.transactionId, 'fraud')))).toEqual({
        ok: true,
        outcomes: odd.map(() => 'applied'),
      });
      expect(await s.label([verdict('t', 'fraud')])).toEqual({
        ok: false,
        unknown: [0],
      });
    });

    it('counts velocity on a dense seeded stream as a naive count does, absent fields 0', async () => {
      const s = await store();
      const ref = new ReferenceStore();
      const rand = prng(3_600);
      const pick = <T>(xs: readonly T[]): T | undefined =>
        rand() < 0.25 ? undefined : xs[Math.floor(rand() * xs.length)];
      let now = T0;
      const maxima = new Float64Array(VELOCITY_NAMES.length);
      let zeros = 0;
      for (let n = 0; n < 400;) {
        const batch: StoreTransaction[] = [];
        const size = rand() < 0.5 ? 1 : 2 + Math.floor(rand() * 8);
        for (let k = 0; k < size; k++, n++) {
          now += Math.floor(rand() * 200);
          // Mostly in order, some up to two hours late.
          const timeSec = rand() < 0.85 ? now : now - Math.floor(rand() * 7_200);
          batch.push({
            transactionId: `v${n}`,
            customerId: `c${Math.floor(rand() * 12)}`,
            terminalId: 't1',
            timeSec,
            amount: 5,
            ...optional({
              deviceId: pick(['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7']),
              ip: pick(['192.0.2.1', '192.0.2.2', '192.0.2.3', '2001:db8::9']),
              country: pick(['FR', 'DE', 'NL', 'BE']),
            }),
          });
        }
        const got = await s.step(batch);
        const want = ref.step(batch);
        for (let i = 0; i < batch.length; i++) {
          const g = fresh(got[i]).velocity;
          expect(named(g), batch[i]!.transactionId).toEqual(named(fresh(want[i]).velocity));
          for (let j = 0; j < g.length; j++) maxima[j] = Math.max(maxima[j]!, g[j]!);
          if (g.every((v) => v === 0)) zeros++;
        }
      }
      // The stream reached well past 1 on every counter, and had transactions with no field.
      for (const [name, max] of Object.entries(named(maxima))) {
        expect(max, name).toBeGreaterThanOrEqual(3);
      }
      expect(zeros).toBeGreaterThan(0);
    });

    it('counts velocity in batch order: a later item sees the earlier ones', async () => {
      const s = await store();
      const one = (id: string, customerId: string, dt: number, country: string) =>
        tx(id, 0, { customerId, timeSec: T0 + dt, deviceId: 'dev', ip: '198.51.100.7', country });
      const out = await s.step([
        one('a', 'c1', 0, 'FR'),
        one('b', 'c2', 60, 'FR'),
        one('c', 'c1', 120, 'DE'),
        tx('d', 0, { timeSec: T0 + 180 }),
      ]);
      expect(out.map((o) => named(fresh(o).velocity))).toEqual([
        named(Float64Array.of(1, 1, 1, 1, 1, 1)),
        named(Float64Array.of(2, 2, 2, 2, 1, 1)),
        named(Float64Array.of(3, 2, 3, 2, 2, 1)),
        named(new Float64Array(6)),
      ]);
      // A replay counts nothing again.
      await s.saveAnswers([{ transactionId: 'a', answer: 'A' }]);
      expect(await s.step([one('a', 'c1', 0, 'FR')])).toEqual([{ kind: 'replay', answer: 'A' }]);
      const [e] = await s.step([one('e', 'c3', 3_000, 'FR')]);
      expect(named(fresh(e).velocity)).toEqual(named(Float64Array.of(4, 3, 4, 3, 1, 1)));
    });

    it('keeps only the velocity states it is asked for (the ruleset in force), every state by default', async () => {
      const s = await store();
      const one = (id: string, customerId: string, dt: number, country: string) =>
        tx(id, 0, { customerId, timeSec: T0 + dt, deviceId: 'dev', ip: '198.51.100.7', country });
      const counts = (o: StepOutcome | undefined) => named(fresh(o).velocity);
      const zero = named(new Float64Array(6));
      // None kept: nothing counted, nothing written (b does not see a).
      const none = await s.step([one('a', 'c1', 0, 'FR'), one('b', 'c2', 60, 'DE')], {
        velocity: [],
      });
      expect(none.map(counts)).toEqual([zero, zero]);
      // The IP's state only: it starts here, the device's and the card's stay unwritten.
      const [c] = await s.step([one('c', 'c1', 120, 'IT')], { velocity: ['ip'] });
      expect(counts(c)).toEqual(named(Float64Array.of(0, 0, 1, 1, 0, 0)));
      // Every state by default: the device's and c2's card state see only this one, the IP's two.
      const [d] = await s.step([one('d', 'c2', 180, 'FR')]);
      expect(counts(d)).toEqual(named(Float64Array.of(1, 1, 2, 2, 1, 1)));
      // The device's and the card's: c1's card state was never written before.
      const [e] = await s.step([one('e', 'c1', 240, 'FR')], { velocity: ['customer', 'device'] });
      expect(counts(e)).toEqual(named(Float64Array.of(2, 2, 0, 0, 1, 1)));
      // And the IP's state did not see e.
      const [f] = await s.step([one('f', 'c3', 300, 'FR')], { velocity: ['ip'] });
      expect(counts(f)).toEqual(named(Float64Array.of(0, 0, 3, 3, 0, 0)));
    });

    it("reports the unexpired lists of every value a transaction carries, one call's worth", async () => {
      const s = await store();
      const hour = 3_600_000;
      const item = (
        list: string,
        kind: ListKind,
        value: string,
        expiresAtMs: number | null = null,
      ): ListChange => ({ op: 'add', list, kind, value, expiresAtMs });
      await s.applyListChanges([
        item('blocked_customers', 'customer_id', 'c1'),
        item('vip', 'customer_id', 'c1', clock.ms + hour),
        item('old', 'customer_id', 'c1', clock.ms - hour),
        item('blocked_terminals', 'terminal_id', 't1'),
        item('bad_devices', 'device_id', 'dev'),
        item('proxies', 'ip', '203.0.113.5', clock.ms + hour),
        item('sanctioned', 'country', 'KP'),
        item('blocked_customers', 'customer_id', 'c2'),
      ]);
      const [all, none, some] = await s.step([
        tx('a', 0, { deviceId: 'dev', ip: '203.0.113.5', country: 'KP' }),
        tx('b', 0, { customerId: 'c9', terminalId: 't9', deviceId: 'x', ip: '::1', country: 'FR' }),
        // A value of one kind is not a value of another: 't1' as a customer is on no list.
        tx('c', 0, { customerId: 't1', terminalId: 't9', country: 'kp' }),
      ]);
      expect([...fresh(all).lists].sort()).toEqual([...ONE_LIST_OF_EACH_KIND, 'vip']);
      expect(fresh(none).lists).toEqual([]);
      expect(fresh(some).lists).toEqual([]);
    });

    it('reads only the list kinds it is asked for (the ruleset in force), every kind by default', async () => {
      const s = await store();
      const item = (list: string, kind: ListKind, value: string): ListChange => ({
        op: 'add',
        list,
        kind,
        value,
        expiresAtMs: null,
      });
      await s.applyListChanges([
        item('blocked_customers', 'customer_id', 'c1'),
        item('blocked_terminals', 'terminal_id', 't1'),
        item('bad_devices', 'device_id', 'dev'),
        item('proxies', 'ip', '203.0.113.5'),
        item('sanctioned', 'country', 'KP'),
      ]);
      const carrying = (id: string) =>
        tx(id, 0, { deviceId: 'dev', ip: '203.0.113.5', country: 'KP' });
      const [some] = await s.step([carrying('a')], { listKinds: ['country', 'device_id'] });
      expect([...fresh(some).lists].sort()).toEqual(['bad_devices', 'sanctioned']);
      const [none] = await s.step([carrying('b')], { listKinds: [] });
      expect(fresh(none).lists).toEqual([]);
      // Only what is read is left out: the states still fold every transaction.
      expect(fresh(none).customer).not.toEqual(fresh(some).customer);
      const [all] = await s.step([carrying('c')], {});
      expect([...fresh(all).lists].sort()).toEqual(ONE_LIST_OF_EACH_KIND);
    });

    it('applies list changes in order and idempotently: add twice, remove twice, re-add', async () => {
      const s = await store();
      const change = (op: 'add' | 'remove', expiresAtMs: number | null = null): ListChange => ({
        op,
        list: 'watch',
        kind: 'device_id',
        value: 'dev',
        expiresAtMs,
      });
      let n = 0;
      const lists = async () =>
        fresh((await s.step([tx(`i${n++}`, 0, { deviceId: 'dev' })]))[0]).lists;
      await s.applyListChanges([change('add'), change('add')]);
      expect(await lists()).toEqual(['watch']);
      await s.applyListChanges([change('remove')]);
      await s.applyListChanges([change('remove')]);
      expect(await lists()).toEqual([]);
      // In order within one call: the last change stands.
      await s.applyListChanges([change('add'), change('remove'), change('add')]);
      expect(await lists()).toEqual(['watch']);
      // An add replaces the expiry: re-added as already expired, it is off the list.
      await s.applyListChanges([change('add', clock.ms - 1)]);
      expect(await lists()).toEqual([]);
      await s.applyListChanges([change('add', clock.ms + 3_600_000)]);
      expect(await lists()).toEqual(['watch']);
      await s.applyListChanges([]);
      expect(await lists()).toEqual(['watch']);
    });

    it('keeps the sync cursor of the list changes it holds, never lowering it', async () => {
      const s = await store();
      const add = (value: string): ListChange => ({
        op: 'add',
        list: 'watch',
        kind: 'customer_id',
        value,
        expiresAtMs: null,
      });
      expect(await s.listCursor()).toBeNull();
      await s.applyListChanges([add('c1')]);
      expect(await s.listCursor()).toBeNull();
      await s.applyListChanges([add('c2')], 'src1.41');
      expect(await s.listCursor()).toBe('src1.41');
      // Compared as numbers within one source (9 < 41), and an older page never moves it back.
      await s.applyListChanges([add('c3')], 'src1.9');
      expect(await s.listCursor()).toBe('src1.41');
      await s.applyListChanges([add('c4')], 'src1.1000');
      expect(await s.listCursor()).toBe('src1.1000');
      // Another source (the backplane's database changed) replaces it, whatever its seq.
      await s.applyListChanges([add('c5')], 'src2.3');
      expect(await s.listCursor()).toBe('src2.3');
      // A malformed cursor is refused with its changes.
      for (const bad of ['12', 'src2.12a', 'SRC.1', '.1']) {
        await expect(s.applyListChanges([add('c6')], bad)).rejects.toThrow();
      }
      expect(await s.listCursor()).toBe('src2.3');
    });

    it('refuses malformed list changes, applying none of them', async () => {
      const s = await store();
      const good: ListChange = {
        op: 'add',
        list: 'watch',
        kind: 'ip',
        value: '192.0.2.1',
        expiresAtMs: null,
      };
      for (const bad of [
        { ...good, kind: 'email' },
        { ...good, list: 'Not A Name' },
        { ...good, value: '' },
        { ...good, op: 'toggle' },
        { ...good, expiresAtMs: 1.5 },
      ]) {
        // Any error: the Durable Object's RPC does not keep the message (workerd reports its own).
        await expect(s.applyListChanges([good, bad as ListChange])).rejects.toThrow();
      }
      const [o] = await s.step([tx('a', 0, { ip: '192.0.2.1' })]);
      expect(fresh(o).lists).toEqual([]);
    });

    it('finds a value on a list of 20,000 items as on one of ten', async () => {
      const s = await store();
      const add = (value: string): ListChange => ({
        op: 'add',
        list: 'big',
        kind: 'customer_id',
        value,
        expiresAtMs: null,
      });
      await s.applyListChanges(Array.from({ length: 10 }, (_, i) => add(`small_${i}`)));
      for (let k = 0; k < 20; k++) {
        await s.applyListChanges(Array.from({ length: 1_000 }, (_, i) => add(`big_${k}_${i}`)));
      }
      const out = await s.step([
        tx('a', 0, { customerId: 'small_3' }),
        tx('b', 0, { customerId: 'big_19_999' }),
        tx('c', 0, { customerId: 'big_20_0' }),
      ]);
      expect(out.map((o) => fresh(o).lists)).toEqual([['big'], ['big'], []]);
    });

    if (!wallClock) {
      it('expires list items on time by the wall clock, not event time', async () => {
        const s = await store();
        const start = clock.ms;
        await s.applyListChanges([
          {
            op: 'add',
            list: 'watch',
            kind: 'customer_id',
            value: 'c1',
            expiresAtMs: start + 1_000,
          },
          { op: 'add', list: 'forever', kind: 'customer_id', value: 'c1', expiresAtMs: null },
        ]);
        let n = 0;
        // Event time far in the past: expiry reads only the clock.
        const lists = async () => [...fresh((await s.step([tx(`e${n++}`, -400)]))[0]).lists].sort();
        expect(await lists()).toEqual(['forever', 'watch']);
        clock.ms = start + 999;
        expect(await lists()).toEqual(['forever', 'watch']);
        clock.ms = start + 1_000;
        expect(await lists()).toEqual(['forever']);
        // Re-added later with a new expiry, it is back.
        await s.applyListChanges([
          {
            op: 'add',
            list: 'watch',
            kind: 'customer_id',
            value: 'c1',
            expiresAtMs: start + 5_000,
          },
        ]);
        expect(await lists()).toEqual(['forever', 'watch']);
      });
    }

    it('folds a seeded random stream exactly as core does, bit for bit', async () => {
      const s = await store();
      const ref = new ReferenceStore();
      const rand = prng(20_240_501);
      // Reused ids and verdict times come from PRNGs of their own, so the rest of the stream stays
      // as it was.
      const reuse = prng(422);
      // Verdict times within a few µs of each other: many arrive out of order, some tie.
      const when = prng(1_204);
      // The velocity and list fields, and list changes, likewise.
      const extra = prng(15);
      const maybe = <T>(xs: readonly T[]): T | undefined =>
        extra() < 0.3 ? undefined : xs[Math.floor(extra() * xs.length)];
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const customers = Array.from({ length: 12 }, (_, i) => `c${i}`);
      const terminals = Array.from({ length: 7 }, (_, i) => `t${i}`);
      const seen: StoreTransaction[] = [];
      // What the stream exercised, so that it cannot silently stop covering a case.
      const tally = new Map<string, number>();
      const count = (what: string) => tally.set(what, (tally.get(what) ?? 0) + 1);
      let now = T0;
      let n = 0;
      while (n < 500) {
        const batch: StoreTransaction[] = [];
        const size = rand() < 0.6 ? 1 : 1 + Math.floor(rand() * 6);
        for (let k = 0; k < size; k++) {
          const recent = seen.slice(-40).filter((t) => t.timeSec > now - 20 * DAY);
          if (recent.length > 0 && rand() < 0.05) {
            // A duplicate of a recent transaction: replayed, or pending without its answer.
            batch.push(pick(recent));
            continue;
          }
          if (recent.length > 0 && reuse() < 0.02) {
            // A recent id with another amount: the whole batch is refused, nothing applied.
            const again = recent[Math.floor(reuse() * recent.length)]!;
            batch.push({ ...again, amount: again.amount + 1 });
          }
          now += Math.floor(rand() * 2 * ((60 * DAY) / 500));
          const r = rand();
          // Mostly in order; some late by hours or days; a few older than the ring.
          const timeSec =
            r < 0.85 ? now : r < 0.97 ? now - Math.floor(rand() * 3 * DAY) : now - 40 * DAY;
          if (timeSec === now - 40 * DAY) count('stale');
          const a = rand();
          const amount =
            a < 0.05
              ? 0
              : a < 0.5
                ? Math.round(rand() * 20_000) / 100
                : a < 0.98
                  ? rand() * 500
                  : 1e9 * rand();
          const t: StoreTransaction = {
            transactionId: `tx_${n}`,
            customerId: pick(customers),
            terminalId: pick(terminals),
            timeSec,
            amount,
            ...optional({
              deviceId: maybe(['d0', 'd1', 'd2', 'd3']),
              ip: maybe(['10.0.0.1', '10.0.0.2', '2001:db8::1']),
              country: maybe(['FR', 'DE', 'NL']),
            }),
          };
          batch.push(t);
          seen.push(t);
          n++;
        }
        if (extra() < 0.2) {
          // Lists change between calls: items on and off, some expired, some re-added.
          const changes: ListChange[] = Array.from({ length: 1 + Math.floor(extra() * 3) }, () => {
            const kind = LIST_KINDS[Math.floor(extra() * LIST_KINDS.length)]!;
            const values = {
              customer_id: customers,
              terminal_id: terminals,
              device_id: ['d0', 'd1', 'd2', 'd3'],
              ip: ['10.0.0.1', '10.0.0.2', '2001:db8::1'],
              country: ['FR', 'DE', 'NL'],
            }[kind];
            const e = extra();
            return {
              op: e < 0.25 ? 'remove' : 'add',
              list: `${kind}_${Math.floor(extra() * 2)}`,
              kind,
              value: values[Math.floor(extra() * values.length)]!,
              expiresAtMs: e < 0.5 ? null : e < 0.7 ? clock.ms - 3_600_000 : clock.ms + 3_600_000,
            };
          });
          await s.applyListChanges(changes);
          ref.lists.apply(changes);
        }
        ref.nowMs = clock.ms;
        const got = await s.step(batch);
        const want = ref.step(batch);
        expect(got.map((o) => o.kind)).toEqual(want.map((o) => o.kind));
        for (const o of want) count(o.kind);
        for (let i = 0; i < got.length; i++) {
          const g = got[i]!;
          const w = want[i]!;
          if (g.kind === 'fresh' && w.kind === 'fresh') {
            expect(bytes(g.customer), `${batch[i]!.transactionId} customer`).toBe(
              bytes(w.customer),
            );
            expect(bytes(g.terminal), `${batch[i]!.transactionId} terminal`).toBe(
              bytes(w.terminal),
            );
            expect(named(g.velocity), `${batch[i]!.transactionId} velocity`).toEqual(
              named(w.velocity),
            );
            expect([...g.lists].sort(), `${batch[i]!.transactionId} lists`).toEqual(w.lists);
            if (g.lists.length > 0) count('listed');
            if (g.velocity.some((v) => v > 1)) count('velocity>1');
          } else {
            expect(g).toEqual(w);
          }
        }
        const answers = batch
          .filter((_, i) => got[i]!.kind === 'fresh' && rand() < 0.8)
          .map((t) => ({ transactionId: t.transactionId, answer: `{"id":"${t.transactionId}"}` }));
        await s.saveAnswers(answers);
        ref.saveAnswers(answers);

        if (rand() < 0.3 && seen.some((t) => t.timeSec > now - 20 * DAY)) {
          // Labels for recent transactions (any store keeps those), a fraud most often.
          const recent = seen.slice(-60).filter((t) => t.timeSec > now - 20 * DAY);
          const labels: StoreLabel[] = Array.from({ length: 1 + Math.floor(rand() * 3) }, () =>
            verdict(
              pick(recent).transactionId,
              rand() < 0.7 ? 'fraud' : 'legitimate',
              VERDICT_T0_US + Math.floor(when() * 6),
            ),
          );
          if (rand() < 0.1) labels.push(verdict(`unknown_${n}`, 'fraud'));
          const outcome = ref.label(labels);
          expect(await s.label(labels)).toEqual(outcome);
          if (outcome.ok) for (const o of outcome.outcomes) count(o);
          else count('unknown');
        }
      }
      // Every state as the stream left it, read back through one probe per key.
      const probes = [
        ...customers.map((c, i) => ({
          ...tx(`probe_c${i}`),
          customerId: c,
          terminalId: 'probe',
          timeSec: now,
        })),
        ...terminals.map((t, i) => ({
          ...tx(`probe_t${i}`),
          customerId: 'probe',
          terminalId: t,
          timeSec: now,
        })),
      ];
      const got = await s.step(probes);
      const want = ref.step(probes);
      for (let i = 0; i < probes.length; i++) {
        expect(bytes(fresh(got[i]).customer)).toBe(bytes(fresh(want[i]).customer));
        expect(bytes(fresh(got[i]).terminal)).toBe(bytes(fresh(want[i]).terminal));
      }
      for (const what of [
        'fresh',
        'replay',
        'pending',
        'conflict',
        'skipped',
        'applied',
        'unchanged',
        'unknown',
        'stale',
        'listed',
        'velocity>1',
      ]) {
        expect(tally.get(what) ?? 0, what).toBeGreaterThan(0);
      }
      expect(ref.late, 'verdicts arriving after a later one').toBeGreaterThan(0);
    });
  });
}
