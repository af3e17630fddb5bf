/**
 * A small seeded PRNG for the simulator. The handbook seeds numpy per purpose (profiles, each
 * customer, each day); here every purpose gets its own stream derived by hashing
 * (seed, purpose, id), so a customer's transactions do not depend on how many others came first.
 *
 * Why write one rather than add a package: sfc32 is ~15 lines, passes PractRand/BigCrush, is fast
 * on 32-bit integer ops in V8, and owning it keeps the generated data stable across dependency
 * upgrades (a changed library algorithm would silently change every simulated dataset).
 * Math.random cannot be seeded, so it is never used.
 */

const TWO_POW_32 = 4294967296;
const TWO_POW_53_INV = 1 / 9007199254740992;
const TWO_PI = 2 * Math.PI;

/** murmur3's 32-bit finaliser: an avalanche mix of one word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Fold one 32-bit word into a running hash. */
function combine(h: number, word: number): number {
  return fmix32((Math.imul(h ^ word, 0x9e3779b1) + 0x7f4a7c15) | 0);
}

/** FNV-1a of a purpose string (UTF-16 code units; purposes are ASCII). */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function assertSafeNonNegativeInteger(what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${n}`);
  }
}

/** A seeded sfc32 stream with the draws the simulator needs. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Box–Muller makes two normals per draw; the second is kept for the next call. */
  private spareNormal = 0;
  private hasSpare = false;

  /** Seed from four 32-bit words (use {@link stream} to derive them from a seed and purpose). */
  constructor(w0: number, w1: number, w2: number, w3: number) {
    this.a = w0 | 0;
    this.b = w1 | 0;
    this.c = w2 | 0;
    this.d = w3 | 0;
    // Mix the seed words through the state before the first output, as sfc32's author advises.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Next 32 uniformly distributed bits, as an unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    const c = (this.c << 21) | (this.c >>> 11);
    this.c = (c + t) | 0;
    return t >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * TWO_POW_53_INV;
  }

  /** Uniform double in [lo, hi). */
  uniformIn(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Normal draw by the basic Box–Muller transform; the pair's second value is cached. */
  normal(mean = 0, sd = 1): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return mean + sd * this.spareNormal;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log is finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = TWO_PI * u2;
    this.spareNormal = r * Math.sin(theta);
    this.hasSpare = true;
    return mean + sd * r * Math.cos(theta);
  }

  /**
   * Poisson draw by Knuth's multiplication method (exact; O(lambda) uniforms). Large means are
   * split into chunks of at most 16, using Poisson additivity, so exp(-lambda) never underflows.
   */
  poisson(lambda: number): number {
    if (!(lambda >= 0) || !Number.isFinite(lambda)) {
      throw new RangeError(`poisson lambda must be finite and ≥ 0, got ${lambda}`);
    }
    let total = 0;
    let rest = lambda;
    while (rest > 16) {
      total += this.knuthPoisson(16);
      rest -= 16;
    }
    return total + this.knuthPoisson(rest);
  }

  private knuthPoisson(lambda: number): number {
    if (lambda === 0) return 0;
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.uniform();
    while (p > limit) {
      k++;
      p *= this.uniform();
    }
    return k;
  }

  /** Uniform integer in [0, n). The 53-bit uniform makes the modulo bias negligible (< 2^-20). */
  integer(n: number): number {
    if (!(n >= 1) || n > TWO_POW_32)
      throw new RangeError(`integer(n) needs 1 ≤ n ≤ 2^32, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /**
   * k distinct integers of [0, n), in draw order, by a partial Fisher–Yates shuffle over a sparse
   * map: O(k) time and memory however large n is.
   */
  sample(n: number, k: number): Int32Array {
    if (!Number.isInteger(n) || !Number.isInteger(k) || k < 0 || k > n || n > 0x7fffffff) {
      throw new RangeError(`sample needs integers 0 ≤ k ≤ n < 2^31, got n=${n}, k=${k}`);
    }
    const out = new Int32Array(k);
    const swapped = new Map<number, number>();
    for (let i = 0; i < k; i++) {
      const j = i + this.integer(n - i);
      const atJ = swapped.get(j) ?? j;
      const atI = swapped.get(i) ?? i;
      out[i] = atJ;
      swapped.set(j, atI);
    }
    return out;
  }
}

/**
 * An independent stream for (seed, purpose, id): e.g. `stream(seed, 'transactions', customer)`.
 * Distinct triples give unrelated streams; the same triple always gives the same one.
 */
export function stream(seed: number, purpose: string, id = 0): Rng {
  assertSafeNonNegativeInteger('seed', seed);
  assertSafeNonNegativeInteger('stream id', id);
  let h = hashString(purpose);
  h = combine(h, seed >>> 0);
  h = combine(h, Math.floor(seed / TWO_POW_32) >>> 0);
  h = combine(h, id >>> 0);
  h = combine(h, Math.floor(id / TWO_POW_32) >>> 0);
  return new Rng(
    fmix32((h + 0x9e3779b9) | 0),
    fmix32((h + 0x3c6ef372) | 0),
    fmix32((h + 0xdaa66d2b) | 0),
    1, // sfc32's counter word starts at 1 by convention
  );
}
