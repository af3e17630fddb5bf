/**
 * Grows one regression tree on binned data from per-row gradients and hessians.
 *
 * Growth is best-first: the open leaf whose best split has the largest gain splits next, until
 * `maxLeaves` leaves or no open leaf can split; `maxDepth` bounds every path. With
 * maxLeaves ≥ 2^maxDepth the order does not matter and the tree equals a depth-wise one.
 *
 * Every node owns a contiguous range of `rows` (partitioned stably in place, so ranges stay in
 * ascending row order and column reads stay near-sequential). After a split only the smaller
 * child's histogram is built from rows; the larger one is parent − smaller, computed into the
 * parent's buffer. All state lives in typed arrays allocated once per training run.
 */
import type { BinMapper } from './binning.js';
import {
  buildHistogram,
  findBestSplit,
  SPLIT_BIN,
  SPLIT_FEATURE,
  SPLIT_GAIN,
  SPLIT_GL,
  SPLIT_HL,
  subtractHistogram,
} from './histogram.js';
import type { GbdtParams } from './params.js';

export class TreeGrower {
  /** Nodes of the last grown tree, in creation order (root = 0). */
  nodeCount = 0;
  readonly splitFeature: Int32Array; // -1 on leaves
  readonly splitBin: Int32Array;
  readonly splitGain: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Leaf output (shrinkage applied, float32-rounded) or the hessian-weighted mean below. */
  readonly value: Float64Array;
  /** Each node's range in `rows`. */
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** Row indexes of the last tree's sample, grouped by node. */
  rows: Int32Array = new Int32Array(0);

  private readonly depth: Int32Array;
  private readonly sumG: Float64Array;
  private readonly sumH: Float64Array;
  private readonly slot: Int32Array;
  private readonly candGain: Float64Array;
  private readonly candFeature: Int32Array;
  private readonly candBin: Int32Array;
  private readonly candGL: Float64Array;
  private readonly candHL: Float64Array;
  private readonly open: Int32Array;
  /** Per node: hessian sum and Σ H·value over the leaves below (for internal values). */
  private readonly hSub: Float64Array;
  private readonly wSub: Float64Array;
  private openCount = 0;

  private readonly binBase: Int32Array;
  private readonly histSize: number;
  private readonly hists: Float64Array[] = [];
  private readonly freeSlots: number[] = [];
  private readonly scratch: Int32Array;
  private readonly gh: Float64Array;
  private readonly best = new Float64Array(5);
  private features: Int32Array = new Int32Array(0);
  private nSelected = 0;

  constructor(
    private readonly binned: Uint8Array,
    private readonly n: number,
    mapper: BinMapper,
    private readonly params: GbdtParams,
  ) {
    const nf = mapper.nFeatures;
    this.binBase = new Int32Array(nf + 1);
    for (let f = 0; f <= nf; f++) this.binBase[f] = mapper.offsets[f]! + f;
    this.histSize = 2 * this.binBase[nf]!;
    const maxNodes = 2 * params.maxLeaves - 1;
    this.splitFeature = new Int32Array(maxNodes);
    this.splitBin = new Int32Array(maxNodes);
    this.splitGain = new Float64Array(maxNodes);
    this.left = new Int32Array(maxNodes);
    this.right = new Int32Array(maxNodes);
    this.value = new Float64Array(maxNodes);
    this.start = new Int32Array(maxNodes);
    this.end = new Int32Array(maxNodes);
    this.depth = new Int32Array(maxNodes);
    this.sumG = new Float64Array(maxNodes);
    this.sumH = new Float64Array(maxNodes);
    this.slot = new Int32Array(maxNodes);
    this.candGain = new Float64Array(maxNodes);
    this.candFeature = new Int32Array(maxNodes);
    this.candBin = new Int32Array(maxNodes);
    this.candGL = new Float64Array(maxNodes);
    this.candHL = new Float64Array(maxNodes);
    this.open = new Int32Array(params.maxLeaves);
    this.hSub = new Float64Array(maxNodes);
    this.wSub = new Float64Array(maxNodes);
    this.scratch = new Int32Array(n);
    this.gh = new Float64Array(2 * n);
  }

  /**
   * Grow a tree on rows[0, nRows) (ascending row indexes; the array is reordered in place and
   * kept as `this.rows`) using only the first `nSelected` entries of `features` (ascending).
   */
  grow(
    rows: Int32Array,
    nRows: number,
    g: Float64Array,
    h: Float64Array,
    features: Int32Array,
    nSelected: number,
  ): void {
    this.rows = rows;
    this.features = features;
    this.nSelected = nSelected;
    this.nodeCount = 0;
    this.openCount = 0;
    this.freeSlots.length = 0;
    for (let s = 0; s < this.hists.length; s++) this.freeSlots.push(s);

    let G = 0;
    let H = 0;
    for (let i = 0; i < nRows; i++) {
      const r = rows[i]!;
      G += g[r]!;
      H += h[r]!;
    }
    const root = this.newNode(0, nRows, 0, G, H);
    if (this.canSplit(root)) {
      this.slot[root] = this.allocSlot();
      this.build(root, g, h);
      this.evaluate(root);
    }

    let leaves = 1;
    while (leaves < this.params.maxLeaves && this.openCount > 0) {
      let pick = 0;
      for (let k = 1; k < this.openCount; k++) {
        if (this.candGain[this.open[k]!]! > this.candGain[this.open[pick]!]!) pick = k;
      }
      const node = this.open[pick]!;
      this.open[pick] = this.open[--this.openCount]!;
      this.split(node, g, h);
      leaves++;
    }
    // Leaves never split keep their histogram slots; they are returned wholesale next grow().
    this.finishValues();
  }

  private newNode(start: number, end: number, depth: number, G: number, H: number): number {
    const k = this.nodeCount++;
    this.start[k] = start;
    this.end[k] = end;
    this.depth[k] = depth;
    this.sumG[k] = G;
    this.sumH[k] = H;
    this.slot[k] = -1;
    this.splitFeature[k] = -1;
    this.splitBin[k] = 0;
    this.splitGain[k] = 0;
    this.left[k] = -1;
    this.right[k] = -1;
    return k;
  }

  private canSplit(k: number): boolean {
    return (
      this.depth[k]! < this.params.maxDepth &&
      this.end[k]! - this.start[k]! >= 2 &&
      this.sumH[k]! >= 2 * this.params.minChildWeight
    );
  }

  private allocSlot(): number {
    const free = this.freeSlots.pop();
    if (free !== undefined) return free;
    this.hists.push(new Float64Array(this.histSize));
    return this.hists.length - 1;
  }

  /** Gather the node's (g, h) pairs in row order, then accumulate its histogram. */
  private build(k: number, g: Float64Array, h: Float64Array): void {
    const { rows, gh } = this;
    const s = this.start[k]!;
    const e = this.end[k]!;
    for (let i = s, j = 0; i < e; i++, j += 2) {
      const r = rows[i]!;
      gh[j] = g[r]!;
      gh[j + 1] = h[r]!;
    }
    buildHistogram(
      this.binned,
      this.n,
      rows,
      s,
      e,
      gh,
      this.features,
      this.nSelected,
      this.binBase,
      this.hists[this.slot[k]!]!,
    );
  }

  /** Find the node's best split; open it as a candidate or release its histogram. */
  private evaluate(k: number): void {
    const { best } = this;
    findBestSplit(
      this.hists[this.slot[k]!]!,
      this.features,
      this.nSelected,
      this.binBase,
      this.sumG[k]!,
      this.sumH[k]!,
      this.params,
      best,
    );
    if (best[SPLIT_GAIN] === -Infinity) {
      this.releaseSlot(k);
      return;
    }
    this.candGain[k] = best[SPLIT_GAIN]!;
    this.candFeature[k] = best[SPLIT_FEATURE]!;
    this.candBin[k] = best[SPLIT_BIN]!;
    this.candGL[k] = best[SPLIT_GL]!;
    this.candHL[k] = best[SPLIT_HL]!;
    this.open[this.openCount++] = k;
  }

  private releaseSlot(k: number): void {
    if (this.slot[k]! >= 0) this.freeSlots.push(this.slot[k]!);
    this.slot[k] = -1;
  }

  private split(k: number, g: Float64Array, h: Float64Array): void {
    const f = this.candFeature[k]!;
    const bin = this.candBin[k]!;
    const s = this.start[k]!;
    const e = this.end[k]!;
    // Stable partition: bins <= bin stay in front, the rest go through scratch. Branch-free
    // (each row is written to both and one cursor advances): the side is a coin flip per row,
    // and mispredicted branches made this loop ~1.5× slower.
    const { rows, scratch, binned } = this;
    const col = f * this.n;
    let l = s;
    let q = 0;
    for (let i = s; i < e; i++) {
      const r = rows[i]!;
      const right = (bin - binned[col + r]!) >>> 31;
      rows[l] = r;
      scratch[q] = r;
      l += 1 - right;
      q += right;
    }
    rows.set(scratch.subarray(0, q), l);

    const GL = this.candGL[k]!;
    const HL = this.candHL[k]!;
    const d = this.depth[k]! + 1;
    const L = this.newNode(s, l, d, GL, HL);
    const R = this.newNode(l, e, d, this.sumG[k]! - GL, this.sumH[k]! - HL);
    this.splitFeature[k] = f;
    this.splitBin[k] = bin;
    this.splitGain[k] = this.candGain[k]!;
    this.left[k] = L;
    this.right[k] = R;

    const small = l - s <= e - l ? L : R;
    const large = small === L ? R : L;
    const smallSplits = this.canSplit(small);
    const largeSplits = this.canSplit(large);
    const parentSlot = this.slot[k]!;
    this.slot[k] = -1;
    if (!smallSplits && !largeSplits) {
      this.freeSlots.push(parentSlot);
      return;
    }
    if (!largeSplits) {
      this.slot[small] = parentSlot;
      this.build(small, g, h);
      this.evaluate(small);
      return;
    }
    this.slot[small] = this.allocSlot();
    this.build(small, g, h);
    const smallHist = this.hists[this.slot[small]]!;
    const parentHist = this.hists[parentSlot]!;
    subtractHistogram(
      parentHist,
      smallHist,
      parentHist,
      this.features,
      this.nSelected,
      this.binBase,
    );
    this.slot[large] = parentSlot;
    if (smallSplits) this.evaluate(small);
    else this.releaseSlot(small);
    this.evaluate(large);
  }

  /**
   * Leaf outputs −G/(H+λ)·η, rounded to float32 (the ONNX export stores float32 weights, so the
   * TS walk and onnxruntime add the same leaf values). Internal nodes get the hessian-weighted
   * mean of the leaves below, for Saabas contributions. Children always have larger ids than
   * their parent, so one backward pass suffices.
   */
  private finishValues(): void {
    const { lambda, learningRate } = this.params;
    const { hSub, wSub } = this;
    for (let k = this.nodeCount - 1; k >= 0; k--) {
      if (this.splitFeature[k]! < 0) {
        const H = this.sumH[k]!;
        const den = H + lambda;
        const v = den > 0 ? Math.fround((-this.sumG[k]! / den) * learningRate) : 0;
        this.value[k] = v;
        hSub[k] = H;
        wSub[k] = H * v;
      } else {
        const L = this.left[k]!;
        const R = this.right[k]!;
        hSub[k] = hSub[L]! + hSub[R]!;
        wSub[k] = wSub[L]! + wSub[R]!;
        this.value[k] = hSub[k]! > 0 ? wSub[k]! / hSub[k]! : (this.value[L]! + this.value[R]!) / 2;
      }
    }
  }

  /** Leaf reached by row r of the binned training matrix. */
  leafOfBinnedRow(r: number): number {
    let k = 0;
    let f = this.splitFeature[0]!;
    while (f >= 0) {
      k = this.binned[f * this.n + r]! <= this.splitBin[k]! ? this.left[k]! : this.right[k]!;
      f = this.splitFeature[k]!;
    }
    return k;
  }
}
