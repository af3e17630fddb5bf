/**
 * Gradient histograms and split search. A histogram holds, for every bin of every feature,
 * the sums of gradient and hessian interleaved: `hist[2 * (binBase[f] + b)]` = G and `+ 1` = H.
 * Only the features drawn for the current tree are ever touched.
 */

/**
 * Accumulate the rows `rows[start, end)` into `hist` for the selected features (zeroing those
 * features first). `gh` holds the rows' gradient/hessian pairs in the same order as `rows`
 * (gathered once per node, so it is read sequentially).
 *
 * Features go eight (then four) to a pass over the rows: one row index and one (g, h) load
 * serve several updates, and their read-modify-write chains are independent, so consecutive
 * rows landing in the same bin do not stall on each other. Measured on 400k rows × 24
 * features: 8.2 ns per update one feature at a time, 2.5 ns four at a time, 2.1 ns eight.
 */
export function buildHistogram(
  binned: Uint8Array,
  n: number,
  rows: Int32Array,
  start: number,
  end: number,
  gh: Float64Array,
  features: Int32Array,
  nSelected: number,
  binBase: Int32Array,
  hist: Float64Array,
): void {
  for (let fi = 0; fi < nSelected; fi++) {
    const f = features[fi]!;
    hist.fill(0, binBase[f]! << 1, binBase[f + 1]! << 1);
  }
  let fi = 0;
  for (; fi + 8 <= nSelected; fi += 8) {
    const c = features.subarray(fi, fi + 8);
    accumulate8(binned, rows, start, end, gh, hist, c, n, binBase);
  }
  for (; fi + 4 <= nSelected; fi += 4) {
    const f0 = features[fi]!;
    const f1 = features[fi + 1]!;
    const f2 = features[fi + 2]!;
    const f3 = features[fi + 3]!;
    accumulate4(
      binned, rows, start, end, gh, hist,
      f0 * n, binBase[f0]! << 1,
      f1 * n, binBase[f1]! << 1,
      f2 * n, binBase[f2]! << 1,
      f3 * n, binBase[f3]! << 1,
    ); // prettier-ignore
  }
  for (; fi < nSelected; fi++) {
    const f = features[fi]!;
    accumulate1(binned, rows, start, end, gh, hist, f * n, binBase[f]! << 1);
  }
}

function accumulate1(
  binned: Uint8Array,
  rows: Int32Array,
  start: number,
  end: number,
  gh: Float64Array,
  hist: Float64Array,
  c0: number,
  h0: number,
): void {
  for (let i = start, k = 0; i < end; i++, k += 2) {
    const x = h0 + (binned[c0 + rows[i]!]! << 1);
    hist[x]! += gh[k]!;
    hist[x + 1]! += gh[k + 1]!;
  }
}

// prettier-ignore
function accumulate8(
  binned: Uint8Array, rows: Int32Array, start: number, end: number,
  gh: Float64Array, hist: Float64Array, f: Int32Array, n: number, binBase: Int32Array,
): void {
  const c0 = f[0]! * n, c1 = f[1]! * n, c2 = f[2]! * n, c3 = f[3]! * n;
  const c4 = f[4]! * n, c5 = f[5]! * n, c6 = f[6]! * n, c7 = f[7]! * n;
  const h0 = binBase[f[0]!]! << 1, h1 = binBase[f[1]!]! << 1;
  const h2 = binBase[f[2]!]! << 1, h3 = binBase[f[3]!]! << 1;
  const h4 = binBase[f[4]!]! << 1, h5 = binBase[f[5]!]! << 1;
  const h6 = binBase[f[6]!]! << 1, h7 = binBase[f[7]!]! << 1;
  for (let i = start, k = 0; i < end; i++, k += 2) {
    const r = rows[i]!;
    const g = gh[k]!;
    const h = gh[k + 1]!;
    let x = h0 + (binned[c0 + r]! << 1);
    hist[x]! += g;
    hist[x + 1]! += h;
    x = h1 + (binned[c1 + r]! << 1);
    hist[x]! += g;
    hist[x + 1]! += h;
    x = h2 + (binned[c2 + r]! << 1);
    hist[x]! += g;
    hist[x + 1]! += h;
    x = h3 + (binned[c3 + r]! << 1);
    hist[x]! += g;
    hist[x + 1]! += h;
    x = h4 + (binned[c4 + r]! << 1);
    hist[x]! += g;
    hist[x + 1]! += h;
    x = h5 + (binned[c5 + r]! << 1);
    hist[x]! += g;
    hist[x + 1]! += h;
    x = h6 + (binned[c6 + r]! << 1);
    hist[x]! += g;
    hist[x + 1]! += h;
    x = h7 + (binned[c7 + r]! << 1);
    hist[x]! += g;
    hist[x + 1]! += h;
  }
}

// prettier-ignore
function accumulate4(
  binned: Uint8Array, rows: Int32Array, start: number, end: number,
  gh: Float64Array, hist: Float64Array,
  c0: number, h0: number, c1: number, h1: number,
  c2: number, h2: number, c3: number, h3: number,
): void {
  for (let i = start, k = 0; i < end; i++, k += 2) {
    const r = rows[i]!;
    const g = gh[k]!;
    const h = gh[k + 1]!;
    let x = h0 + (binned[c0 + r]! << 1);
    hist[x]! += g;
    hist[x + 1]! += h;
    x = h1 + (binned[c1 + r]! << 1);
    hist[x]! += g;
    hist[x + 1]! += h;
    x = h2 + (binned[c2 + r]! << 1);
    hist[x]! += g;
    hist[x + 1]! += h;
    x = h3 + (binned[c3 + r]! << 1);
    hist[x]! += g;
    hist[x + 1]! += h;
  }
}

/** target ← parent − sibling over the selected features (the histogram subtraction trick). */
export function subtractHistogram(
  parent: Float64Array,
  sibling: Float64Array,
  target: Float64Array,
  features: Int32Array,
  nSelected: number,
  binBase: Int32Array,
): void {
  for (let fi = 0; fi < nSelected; fi++) {
    const f = features[fi]!;
    const end = binBase[f + 1]! << 1;
    for (let i = binBase[f]! << 1; i < end; i++) target[i] = parent[i]! - sibling[i]!;
  }
}

/** Regularised split-search settings. */
export interface SplitRule {
  readonly lambda: number;
  readonly minChildWeight: number;
  readonly gamma: number;
}

/** Slots of the `best` array written by {@link findBestSplit}. */
export const SPLIT_GAIN = 0;
export const SPLIT_FEATURE = 1;
export const SPLIT_BIN = 2;
export const SPLIT_GL = 3;
export const SPLIT_HL = 4;

/**
 * Best split of a node with totals (G, H) over the selected features, written into `best`
 * ([gain, feature, bin, G_left, H_left]; gain −∞ when no split passes the constraints).
 * Gain = ½[G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)]; a split must have gain > γ and > 0 and
 * H ≥ minChildWeight on both sides. Ties keep the first (lowest feature, then lowest bin), so
 * the search is deterministic.
 */
export function findBestSplit(
  hist: Float64Array,
  features: Int32Array,
  nSelected: number,
  binBase: Int32Array,
  G: number,
  H: number,
  rule: SplitRule,
  best: Float64Array,
): void {
  const { lambda, minChildWeight } = rule;
  const minH = minChildWeight > 0 ? minChildWeight : Number.MIN_VALUE;
  const parentScore = (G * G) / (H + lambda);
  let bestGain = Math.max(rule.gamma, 0);
  let found = false;
  for (let fi = 0; fi < nSelected; fi++) {
    const f = features[fi]!;
    // The last bin cannot be a split point: everything would go left.
    const last = (binBase[f + 1]! - 1) << 1;
    let gl = 0;
    let hl = 0;
    for (let i = binBase[f]! << 1; i < last; i += 2) {
      gl += hist[i]!;
      hl += hist[i + 1]!;
      if (hl < minH) continue;
      const hr = H - hl;
      if (hr < minH) break; // hl only grows from here
      const gr = G - gl;
      const gain = 0.5 * ((gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore);
      if (gain > bestGain) {
        bestGain = gain;
        found = true;
        best[SPLIT_FEATURE] = f;
        best[SPLIT_BIN] = (i >> 1) - binBase[f]!;
        best[SPLIT_GL] = gl;
        best[SPLIT_HL] = hl;
      }
    }
  }
  best[SPLIT_GAIN] = found ? bestGain : -Infinity;
}
