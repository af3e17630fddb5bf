/**
 * Histogram binning. Each feature's values are cut by ascending float32 edges; a value goes to
 * bin b = the first b with `x <= edges[b]`, and the last bin (index edges.length) catches
 * everything above the last edge — and NaN, since every comparison with NaN is false. A split
 * "after bin b" is therefore exactly the node rule `x <= edges[b]` → left, which is what the
 * TypeScript walk and ONNX `BRANCH_LEQ` evaluate on float32 inputs: training, the pure-JS scorer
 * and onnxruntime all send every row (NaN included: right) down the same path.
 */
import type { Rng } from '@vigil/sim';

export const MAX_BINS = 255;

/** Per-feature bin edges, concatenated. Feature f's edges are edges[offsets[f] .. offsets[f+1]). */
export interface BinMapper {
  readonly nFeatures: number;
  readonly edges: Float32Array;
  readonly offsets: Int32Array;
}

/** Number of bins of feature f (edges + the final catch-all bin). */
export function binCount(m: BinMapper, f: number): number {
  return m.offsets[f + 1]! - m.offsets[f]! + 1;
}

/**
 * A float32 threshold t with a <= t < b, near their midpoint: unseen values between two sample
 * values are split halfway rather than all going to one side.
 */
function edgeBetween(a: number, b: number): number {
  const mid = Math.fround(a / 2 + b / 2);
  return mid >= b || !(mid >= a) ? a : mid;
}

/**
 * Quantile edges for one feature from its sorted, NaN-free sample. Few distinct values: one bin
 * each. Otherwise a greedy pass closes a bin once it holds its share of the remaining rows, the
 * share recomputed after every bin so a heavy value (say, many zeros) takes a bin to itself
 * without starving the rest.
 */
function featureEdges(sorted: Float32Array, maxBins: number, out: number[]): void {
  const n = sorted.length;
  if (n === 0) return;
  let distinct = 1;
  for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  if (distinct <= maxBins) {
    for (let i = 1; i < n; i++) {
      if (sorted[i] !== sorted[i - 1]) out.push(edgeBetween(sorted[i - 1]!, sorted[i]!));
    }
    return;
  }
  let binsLeft = maxBins;
  let rowsLeft = n;
  let inBin = 0;
  let target = rowsLeft / binsLeft;
  for (let i = 0; i < n;) {
    const v = sorted[i]!;
    let j = i + 1;
    while (j < n && sorted[j] === v) j++;
    inBin += j - i;
    i = j;
    if (i < n && binsLeft > 1 && inBin >= target) {
      out.push(edgeBetween(v, sorted[i]!));
      rowsLeft -= inBin;
      binsLeft--;
      inBin = 0;
      target = rowsLeft / binsLeft;
    }
  }
}

export interface BinningOptions {
  /** At most this many bins per feature (≤ 255 so bin indexes fit a byte). */
  readonly maxBins?: number;
  /** Edges are computed on at most this many rows, drawn without replacement. */
  readonly sampleSize?: number;
}

/** k of n row indexes, ascending, uniformly without replacement (Knuth's selection sampling). */
function sampleRows(n: number, k: number, rng: Rng): Int32Array {
  const out = new Int32Array(k);
  if (k === n) {
    for (let i = 0; i < n; i++) out[i] = i;
    return out;
  }
  for (let i = 0, taken = 0; taken < k; i++) {
    if (rng.uniform() * (n - i) < k - taken) out[taken++] = i;
  }
  return out;
}

/** Compute quantile bin edges per feature from (a sample of) row-major `x` (n × nFeatures). */
export function computeBinMapper(
  x: Float32Array,
  nFeatures: number,
  rng: Rng,
  options: BinningOptions = {},
): BinMapper {
  const maxBins = options.maxBins ?? MAX_BINS;
  const sampleSize = options.sampleSize ?? 200_000;
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > MAX_BINS) {
    throw new RangeError(`maxBins must be an integer in [2, ${MAX_BINS}], got ${maxBins}`);
  }
  const n = x.length / nFeatures;
  if (!Number.isInteger(n)) throw new RangeError('x.length is not a multiple of nFeatures');
  const rows = sampleRows(n, Math.min(n, sampleSize), rng);
  const column = new Float32Array(rows.length);
  const edges: number[] = [];
  const offsets = new Int32Array(nFeatures + 1);
  for (let f = 0; f < nFeatures; f++) {
    let k = 0;
    for (let i = 0; i < rows.length; i++) {
      const v = x[rows[i]! * nFeatures + f]!;
      if (!Number.isNaN(v)) column[k++] = v;
    }
    const sorted = column.subarray(0, k).sort();
    featureEdges(sorted, maxBins, edges);
    offsets[f + 1] = edges.length;
  }
  return { nFeatures, edges: Float32Array.from(edges), offsets };
}

/** Bin of value v among edges[lo, hi): the first edge with v <= edge, else the last bin. */
export function binOf(edges: Float32Array, lo: number, hi: number, v: number): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (v <= edges[mid]!) b = mid;
    else a = mid + 1;
  }
  return a - lo;
}

/**
 * Bin row-major `x` into a column-major byte matrix: feature f of row r at `f * n + r`.
 * Column-major keeps each feature's bins contiguous for the histogram loops.
 */
export function binColumns(x: Float32Array, m: BinMapper): Uint8Array {
  const nf = m.nFeatures;
  const n = x.length / nf;
  const out = new Uint8Array(nf * n);
  const { edges, offsets } = m;
  // Rows outer: x is read once, sequentially; the writes go to nf sequential streams.
  for (let r = 0, at = 0; r < n; r++) {
    for (let f = 0; f < nf; f++, at++) {
      out[f * n + r] = binOf(edges, offsets[f]!, offsets[f + 1]!, x[at]!);
    }
  }
  return out;
}
