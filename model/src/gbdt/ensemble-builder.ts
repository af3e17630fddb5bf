/**
 * Collects grown trees in core's flat TreeEnsemble form, translating each split bin into its
 * float32 threshold, and truncates to the best iteration at the end.
 */
import type { TreeEnsemble } from '@vigil/core';
import type { BinMapper } from './binning.js';
import type { TreeGrower } from './tree-grower.js';

/** One tree with node ids local to it (root = 0). */
export interface StoredTree {
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
  readonly gain: Float64Array;
}

export class EnsembleBuilder {
  private readonly trees: StoredTree[] = [];

  constructor(
    private readonly mapper: BinMapper,
    private readonly baseMargin: number,
  ) {}

  get treeCount(): number {
    return this.trees.length;
  }

  /** Copy the grower's last tree (node ids local to the tree; root = 0). */
  add(g: TreeGrower): StoredTree {
    const m = g.nodeCount;
    const feature = g.splitFeature.slice(0, m);
    const threshold = new Float32Array(m);
    for (let k = 0; k < m; k++) {
      const f = feature[k]!;
      if (f >= 0) threshold[k] = this.mapper.edges[this.mapper.offsets[f]! + g.splitBin[k]!]!;
    }
    const tree: StoredTree = {
      feature,
      threshold,
      left: g.left.slice(0, m),
      right: g.right.slice(0, m),
      value: g.value.slice(0, m),
      gain: g.splitGain.slice(0, m),
    };
    this.trees.push(tree);
    return tree;
  }

  /** The ensemble of the first `nTrees` trees. */
  build(nTrees: number): TreeEnsemble {
    const kept = this.trees.slice(0, nTrees);
    const total = kept.reduce((s, t) => s + t.feature.length, 0);
    const e = {
      nFeatures: this.mapper.nFeatures,
      baseMargin: this.baseMargin,
      roots: new Int32Array(kept.length),
      feature: new Int32Array(total),
      threshold: new Float32Array(total),
      left: new Int32Array(total),
      right: new Int32Array(total),
      value: new Float64Array(total),
    };
    let at = 0;
    kept.forEach((t, i) => {
      e.roots[i] = at;
      e.feature.set(t.feature, at);
      e.threshold.set(t.threshold, at);
      e.value.set(t.value, at);
      for (let k = 0; k < t.feature.length; k++) {
        const leaf = t.feature[k]! < 0;
        e.left[at + k] = leaf ? -1 : t.left[k]! + at;
        e.right[at + k] = leaf ? -1 : t.right[k]! + at;
      }
      at += t.feature.length;
    });
    return e;
  }

  /** Total split gain and split count per feature over the first `nTrees` trees. */
  importance(nTrees: number): { gain: Float64Array; splits: Int32Array } {
    const gain = new Float64Array(this.mapper.nFeatures);
    const splits = new Int32Array(this.mapper.nFeatures);
    for (const t of this.trees.slice(0, nTrees)) {
      for (let k = 0; k < t.feature.length; k++) {
        const f = t.feature[k]!;
        if (f < 0) continue;
        gain[f]! += t.gain[k]!;
        splits[f]!++;
      }
    }
    return { gain, splits };
  }
}
