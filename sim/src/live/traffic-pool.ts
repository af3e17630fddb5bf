/**
 * Live checkout traffic for the dashboard's traffic panel: the simulator's own population
 * (profiles.ts: the same customers, terminals and who pays where as `simulate` with this seed)
 * drawn one transaction at a time and stamped with the wall clock, so live scores mean what the
 * model learnt. Pure and deterministic for a seed and the times it is given; the backplane's
 * sender does the I/O.
 */
import {
  findAvailableTerminals,
  generateCustomerProfiles,
  generateTerminalProfiles,
  type AvailableTerminals,
  type CustomerProfiles,
  type TerminalProfiles,
} from '../profiles.js';
import { stream, type Rng } from '../rng.js';
import { drawAmount, roundCents } from '../transactions.js';

/** A transaction as the scoring API takes it. */
export interface SimTransaction {
  readonly transaction_id: string;
  readonly timestamp: string;
  readonly customer_id: string;
  readonly terminal_id: string;
  readonly amount: number;
  readonly currency: 'EUR';
}

export interface TrafficPoolOptions {
  readonly customers?: number;
  readonly terminals?: number;
  readonly seed?: number;
  /** A customer's terminals are those closer than this (grid units). */
  readonly radius?: number;
}

export const DEFAULT_POOL = { customers: 5_000, terminals: 10_000, seed: 7, radius: 5 } as const;

/** The pool (customers, terminals, who pays where) and a seeded stream of draws from it. */
export class TrafficGenerator {
  readonly customers: number;
  readonly terminals: number;
  private readonly radius: number;
  private readonly people: CustomerProfiles;
  private readonly places: TerminalProfiles;
  private readonly available: AvailableTerminals;
  /** Cumulative daily rates: customers are drawn in proportion to how often they pay. */
  private readonly cumulativeRate: Float64Array;
  private readonly rng: Rng;
  private seq = 0;

  constructor(opts: TrafficPoolOptions = {}) {
    this.customers = opts.customers ?? DEFAULT_POOL.customers;
    this.terminals = opts.terminals ?? DEFAULT_POOL.terminals;
    this.radius = opts.radius ?? DEFAULT_POOL.radius;
    const seed = opts.seed ?? DEFAULT_POOL.seed;
    if (!(this.customers >= 1 && this.terminals >= 1 && this.radius > 0)) {
      throw new RangeError('the traffic pool needs ≥ 1 customer, ≥ 1 terminal and a radius > 0');
    }
    this.people = generateCustomerProfiles(this.customers, seed);
    this.places = generateTerminalProfiles(this.terminals, seed);
    this.available = findAvailableTerminals(this.people, this.places, this.radius);
    this.cumulativeRate = new Float64Array(this.customers);
    let acc = 0;
    for (let c = 0; c < this.customers; c++) {
      acc += this.people.meanTxPerDay[c]!;
      this.cumulativeRate[c] = acc;
    }
    this.rng = stream(seed, 'traffic-draws');
  }

  /** The terminals customer `c` pays at (those closer than the radius), ascending. */
  terminalsOf(c: number): Int32Array {
    return this.available.ids.subarray(this.available.offsets[c], this.available.offsets[c + 1]);
  }

  /** The customers that pay at terminal `t`. */
  customersOf(t: number): number[] {
    const r2 = this.radius * this.radius;
    const out: number[] = [];
    for (let c = 0; c < this.customers; c++) {
      const dx = this.places.x[t]! - this.people.x[c]!;
      const dy = this.places.y[t]! - this.people.y[c]!;
      if (dx * dx + dy * dy < r2) out.push(c);
    }
    return out;
  }

  /** A customer, in proportion to its daily rate, who has at least one terminal. */
  drawCustomer(): number {
    const total = this.cumulativeRate[this.customers - 1]!;
    for (let tries = 0; tries < 100; tries++) {
      const u = this.rng.uniform() * total;
      let lo = 0;
      let hi = this.customers - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.cumulativeRate[mid]! > u) hi = mid;
        else lo = mid + 1;
      }
      if (this.terminalsOf(lo).length > 0) return lo;
    }
    return 0;
  }

  /** One of the customer's terminals, uniformly (any terminal if it has none). */
  drawTerminal(c: number): number {
    const ts = this.terminalsOf(c);
    return ts.length > 0 ? ts[this.rng.integer(ts.length)]! : this.rng.integer(this.terminals);
  }

  /** A genuine amount for customer `c`, in cents, as the simulator draws it. */
  drawAmount(c: number): number {
    return roundCents(drawAmount(this.rng, this.people.meanAmount[c]!, this.people.stdAmount[c]!));
  }

  /** The customer's mean amount. */
  meanOf(c: number): number {
    return this.people.meanAmount[c]!;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return this.rng.uniformIn(lo, hi);
  }

  /** Uniform integer in [0, n). */
  integer(n: number): number {
    return this.rng.integer(n);
  }

  /** A transaction with a fresh id `tx_sim_<nowMs>_<n>`, at event time `atMs`. */
  make(nowMs: number, atMs: number, c: number, t: number, amount: number): SimTransaction {
    this.seq++;
    return {
      transaction_id: `tx_sim_${Math.floor(nowMs)}_${this.seq}`,
      timestamp: new Date(atMs).toISOString(),
      customer_id: `c_sim_${c}`,
      terminal_id: `t_sim_${t}`,
      amount,
      currency: 'EUR',
    };
  }

  /** One genuine checkout now. */
  genuine(nowMs: number): SimTransaction {
    const c = this.drawCustomer();
    return this.make(nowMs, nowMs, c, this.drawTerminal(c), this.drawAmount(c));
  }

  /** `n` genuine checkouts now. */
  batch(nowMs: number, n: number): SimTransaction[] {
    const out: SimTransaction[] = [];
    for (let i = 0; i < n; i++) out.push(this.genuine(nowMs));
    return out;
  }
}
