/**
 * Simulated checkout traffic for the dashboard's traffic panel: the Fraud Detection Handbook's
 * population (model/src/simulate follows the same rules for the training data) drawn live, one
 * transaction at a time, stamped with the wall clock. Pure and deterministic for a seed and the
 * times it is given; the sender (traffic-sender.ts) does the I/O.
 *
 * Customers sit on a 100 × 100 grid with a mean amount ~ U(5, 100) (sd = mean / 2) and a rate
 * ~ U(0, 4) per day; terminals are uniform on the grid; a customer pays at terminals closer than
 * r = 5. Amounts follow the handbook (normal per customer, a negative draw redrawn uniformly),
 * not a generic log-normal: the model was trained on these, so live scores mean what they say.
 * The seeded streams are the simulator's own (`stream` from @vigil/model).
 */
import { stream, type Rng } from '@vigil/model';

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
const GRID = 100;

/** Round to cents. */
export const cents = (x: number) => Math.round(x * 100) / 100;

/** The pool (customers, terminals, who pays where) and a seeded stream of draws from it. */
export class TrafficGenerator {
  readonly customers: number;
  readonly terminals: number;
  private readonly radius: number;
  private readonly cx: Float64Array;
  private readonly cy: Float64Array;
  private readonly meanAmount: Float64Array;
  /** Cumulative daily rates: customers are drawn in proportion to how often they pay. */
  private readonly cumulativeRate: Float64Array;
  private readonly tx: Float64Array;
  private readonly ty: Float64Array;
  /** Terminals bucketed by grid cell (radius-sized), so a customer looks at 3 × 3 cells. */
  private readonly cells: number;
  private readonly cellTerminals: Int32Array[];
  private readonly available = new Map<number, Int32Array>();
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
    const cr = stream(seed, 'traffic-customers');
    this.cx = new Float64Array(this.customers);
    this.cy = new Float64Array(this.customers);
    this.meanAmount = new Float64Array(this.customers);
    this.cumulativeRate = new Float64Array(this.customers);
    let acc = 0;
    for (let c = 0; c < this.customers; c++) {
      this.cx[c] = cr.uniformIn(0, GRID);
      this.cy[c] = cr.uniformIn(0, GRID);
      this.meanAmount[c] = cr.uniformIn(5, 100);
      acc += cr.uniformIn(0, 4);
      this.cumulativeRate[c] = acc;
    }
    const tr = stream(seed, 'traffic-terminals');
    this.tx = new Float64Array(this.terminals);
    this.ty = new Float64Array(this.terminals);
    this.cells = Math.max(1, Math.min(200, Math.ceil(GRID / this.radius)));
    const buckets: number[][] = Array.from({ length: this.cells * this.cells }, () => []);
    for (let t = 0; t < this.terminals; t++) {
      this.tx[t] = tr.uniformIn(0, GRID);
      this.ty[t] = tr.uniformIn(0, GRID);
      buckets[this.cellOf(this.ty[t]!) * this.cells + this.cellOf(this.tx[t]!)]!.push(t);
    }
    this.cellTerminals = buckets.map((b) => Int32Array.from(b));
    this.rng = stream(seed, 'traffic-draws');
  }

  private cellOf(v: number): number {
    return Math.min(this.cells - 1, Math.max(0, Math.floor((v / GRID) * this.cells)));
  }

  /** The terminals customer `c` pays at (those closer than the radius), ascending. */
  terminalsOf(c: number): Int32Array {
    const cached = this.available.get(c);
    if (cached) return cached;
    const x = this.cx[c]!;
    const y = this.cy[c]!;
    const r2 = this.radius * this.radius;
    const reach = Math.ceil((this.radius / GRID) * this.cells);
    const col = this.cellOf(x);
    const row = this.cellOf(y);
    const out: number[] = [];
    for (let j = Math.max(0, row - reach); j <= Math.min(this.cells - 1, row + reach); j++) {
      for (let i = Math.max(0, col - reach); i <= Math.min(this.cells - 1, col + reach); i++) {
        for (const t of this.cellTerminals[j * this.cells + i]!) {
          const dx = this.tx[t]! - x;
          const dy = this.ty[t]! - y;
          if (dx * dx + dy * dy < r2) out.push(t);
        }
      }
    }
    const ids = Int32Array.from(out).sort();
    this.available.set(c, ids);
    return ids;
  }

  /** The customers that pay at terminal `t`. */
  customersOf(t: number): number[] {
    const r2 = this.radius * this.radius;
    const out: number[] = [];
    for (let c = 0; c < this.customers; c++) {
      const dx = this.tx[t]! - this.cx[c]!;
      const dy = this.ty[t]! - this.cy[c]!;
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

  /** A genuine amount for customer `c`: Normal(mean, mean / 2), a negative draw redrawn U(0, 2·mean). */
  drawAmount(c: number): number {
    const mean = this.meanAmount[c]!;
    let a = this.rng.normal(mean, mean / 2);
    if (a < 0) a = this.rng.uniformIn(0, mean * 2);
    return cents(a);
  }

  /** The customer's mean amount. */
  meanOf(c: number): number {
    return this.meanAmount[c]!;
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
