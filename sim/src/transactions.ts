/**
 * Genuine transactions: per customer, per day, a Poisson number of draws of (second of day,
 * amount, terminal), then one time sort over all customers. Each customer draws from its own
 * stream, like the handbook seeding numpy with the customer id.
 */
import { SECONDS_PER_DAY } from './dataset.js';
import type { AvailableTerminals, CustomerProfiles } from './profiles.js';
import { stream, type Rng } from './rng.js';

/** Transactions in time order; `second` counts from the first day's midnight. */
export interface TransactionColumns {
  readonly length: number;
  readonly second: Int32Array;
  readonly day: Int32Array;
  readonly customer: Int32Array;
  readonly terminal: Int32Array;
  readonly amount: Float64Array;
}

/** numpy's np.round(x, 2): round half to even on x × 100. */
export function roundCents(x: number): number {
  const scaled = x * 100;
  let r = Math.round(scaled);
  if (r - scaled === 0.5 && r % 2 !== 0) r -= 1;
  return r / 100;
}

/** A genuine amount (unrounded): Normal(mean, std), a negative draw redrawn U(0, 2·mean). */
export function drawAmount(rng: Rng, mean: number, std: number): number {
  const amount = rng.normal(mean, std);
  return amount < 0 ? rng.uniformIn(0, mean * 2) : amount;
}

/** Growable columns for the unsorted draws, pre-sized from the expected count. */
class Draws {
  length = 0;
  second: Int32Array;
  customer: Int32Array;
  terminal: Int32Array;
  amount: Float64Array;

  constructor(capacity: number) {
    this.second = new Int32Array(capacity);
    this.customer = new Int32Array(capacity);
    this.terminal = new Int32Array(capacity);
    this.amount = new Float64Array(capacity);
  }

  push(second: number, customer: number, terminal: number, amount: number): void {
    if (this.length === this.second.length) this.grow();
    const i = this.length++;
    this.second[i] = second;
    this.customer[i] = customer;
    this.terminal[i] = terminal;
    this.amount[i] = amount;
  }

  private grow(): void {
    const size = this.second.length * 2 + 1024;
    const g32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.second = g32(this.second);
    this.customer = g32(this.customer);
    this.terminal = g32(this.terminal);
    const amount = new Float64Array(size);
    amount.set(this.amount);
    this.amount = amount;
  }
}

/** The handbook's per-customer loop, for every customer, in customer-id order. */
function drawTransactions(
  profiles: CustomerProfiles,
  available: AvailableTerminals,
  days: number,
  seed: number,
): Draws {
  let expected = 0;
  for (let c = 0; c < profiles.count; c++) expected += profiles.meanTxPerDay[c]!;
  // ~97 % of the Normal(43200, 20000) seconds fall inside the day; 3 % headroom over that.
  const draws = new Draws(Math.ceil(expected * days * 1.03) + 1024);
  for (let c = 0; c < profiles.count; c++) {
    const rng = stream(seed, 'transactions', c);
    const lambda = profiles.meanTxPerDay[c]!;
    const mean = profiles.meanAmount[c]!;
    const std = profiles.stdAmount[c]!;
    const first = available.offsets[c]!;
    const nAvailable = available.offsets[c + 1]! - first;
    for (let d = 0; d < days; d++) {
      const count = rng.poisson(lambda);
      for (let k = 0; k < count; k++) {
        const second = Math.trunc(rng.normal(SECONDS_PER_DAY / 2, 20_000));
        if (second <= 0 || second >= SECONDS_PER_DAY) continue;
        const amount = drawAmount(rng, mean, std);
        if (nAvailable === 0) continue;
        const terminal = available.ids[first + rng.integer(nAvailable)]!;
        draws.push(d * SECONDS_PER_DAY + second, c, terminal, roundCents(amount));
      }
    }
  }
  return draws;
}

/**
 * Stable permutation sorting `key` (whole seconds) ascending: an LSD counting sort on second of
 * day, then on day. O(n + 86,400 + days), and stable, so equal times keep the draw order — which
 * is customer id, then the customer's own order.
 */
function sortBySecond(key: Int32Array, n: number, days: number): Int32Array {
  const bySecond = new Int32Array(n);
  const counts = new Int32Array(SECONDS_PER_DAY + 1);
  for (let i = 0; i < n; i++) counts[(key[i]! % SECONDS_PER_DAY) + 1]!++;
  for (let s = 0; s < SECONDS_PER_DAY; s++) counts[s + 1]! += counts[s]!;
  for (let i = 0; i < n; i++) bySecond[counts[key[i]! % SECONDS_PER_DAY]!++] = i;

  const order = new Int32Array(n);
  const dayCounts = new Int32Array(days + 1);
  for (let i = 0; i < n; i++) dayCounts[Math.floor(key[i]! / SECONDS_PER_DAY) + 1]!++;
  for (let d = 0; d < days; d++) dayCounts[d + 1]! += dayCounts[d]!;
  for (let j = 0; j < n; j++) {
    const i = bySecond[j]!;
    order[dayCounts[Math.floor(key[i]! / SECONDS_PER_DAY)]!++] = i;
  }
  return order;
}

/** All genuine transactions of the simulation, sorted by time (ties: customer id, draw order). */
export function generateTransactions(
  profiles: CustomerProfiles,
  available: AvailableTerminals,
  days: number,
  seed: number,
): TransactionColumns {
  const draws = drawTransactions(profiles, available, days, seed);
  const n = draws.length;
  const order = sortBySecond(draws.second, n, days);
  const second = new Int32Array(n);
  const day = new Int32Array(n);
  const customer = new Int32Array(n);
  const terminal = new Int32Array(n);
  const amount = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const i = order[j]!;
    const s = draws.second[i]!;
    second[j] = s;
    day[j] = Math.floor(s / SECONDS_PER_DAY);
    customer[j] = draws.customer[i]!;
    terminal[j] = draws.terminal[i]!;
    amount[j] = draws.amount[i]!;
  }
  return { length: n, second, day, customer, terminal, amount };
}
