/**
 * Export a TreeEnsemble as an ONNX `ai.onnx.ml.TreeEnsembleClassifier` (opset 3).
 *
 * The attribute choices below are the ones for which onnxruntime returns exactly
 * `[1 − p, p]` with p = sigmoid(baseMargin + Σ leaf values), checked in export-onnx.test.ts:
 * - one score column: every leaf vote has `class_ids = 0`, with `classlabels_int64s = [0, 1]`.
 *   onnxruntime then takes its binary path: margin s = base + Σ votes, probabilities
 *   [logistic(−s), logistic(s)], label 1 when s > 0. (`class_ids = 1` looks natural but is
 *   wrong: the single `base_values` entry is then added to the empty class-0 score and the
 *   column-1 margin loses it.)
 * - `base_values = [baseMargin]` (one entry, for that one column);
 * - `post_transform = 'LOGISTIC'`;
 * - onnxruntime treats "all vote weights ≥ 0" specially: the label becomes `raw score > 0.5`
 *   instead of `s > 0` (seen with 1.30; its source also writes [1 − s, s] unsquashed on some
 *   paths). A boosted ensemble almost always has negative leaves; when it has none we add one
 *   single-leaf tree voting −(smallest float32 subnormal), which changes no float32 sum.
 * - nodes are `BRANCH_LEQ` (true branch = left = `x <= threshold`) and `LEAF`, thresholds and
 *   weights are float32 (the trainer already rounds them), and no missing-value tracking: NaN
 *   fails `<=` and goes right, as in core's predictMargin.
 * No ZipMap: the outputs are `label` (int64 [N]) and `probabilities` (float [N, 2]).
 */
import onnxProto, { type onnx as Onnx } from 'onnx-proto';
import { ONNX_INPUT, ONNX_LABEL, ONNX_PROBABILITIES, type TreeEnsemble } from '@vigil/core';

const { onnx } = onnxProto;
const { AttributeType } = onnx.AttributeProto;
const { DataType } = onnx.TensorProto;

const ML_DOMAIN = 'ai.onnx.ml';
const IR_VERSION = 8;
const DEFAULT_OPSET = 17;
const ML_OPSET = 3;
/** Smallest positive float32 (a subnormal); adding −this to a score changes no float32 sum. */
const FLOAT32_TINY = 1.401298464324817e-45;

export interface ExportOptions {
  /** One name per input column, in order. Stored in the model's metadata. */
  readonly featureNames: readonly string[];
  /** Model version string, stored as producer_version and in the metadata. */
  readonly version: string;
}

interface TreeAttributes {
  treeIds: number[];
  nodeIds: number[];
  featureIds: number[];
  modes: string[];
  values: number[];
  trueIds: number[];
  falseIds: number[];
  classTreeIds: number[];
  classNodeIds: number[];
  classWeights: number[];
  hitrates: number[];
}

/** Flatten the ensemble into ONNX node tuples, numbering each tree's nodes 0… in preorder. */
function flatten(e: TreeEnsemble): TreeAttributes {
  const a: TreeAttributes = {
    treeIds: [],
    nodeIds: [],
    featureIds: [],
    modes: [],
    values: [],
    trueIds: [],
    falseIds: [],
    classTreeIds: [],
    classNodeIds: [],
    classWeights: [],
    hitrates: [],
  };
  const share = coverShares(e);
  for (let t = 0; t < e.roots.length; t++) {
    // Number the nodes in preorder (left subtree first); ONNX wants ids 0… within each tree.
    const order: number[] = [];
    const stack = [e.roots[t]!];
    while (stack.length > 0) {
      const k = stack.pop()!;
      order.push(k);
      if (order.length > e.feature.length)
        throw new RangeError(`exportOnnx: tree ${t} has a cycle`);
      if (e.feature[k]! >= 0) stack.push(e.right[k]!, e.left[k]!);
    }
    const ids = new Map<number, number>();
    order.forEach((k, i) => ids.set(k, i));
    for (const k of order) {
      const id = ids.get(k)!;
      const f = e.feature[k]!;
      a.treeIds.push(t);
      a.nodeIds.push(id);
      a.hitrates.push(Math.fround(share[k]!));
      if (f >= 0) {
        a.featureIds.push(f);
        a.modes.push('BRANCH_LEQ');
        a.values.push(e.threshold[k]!);
        a.trueIds.push(ids.get(e.left[k]!)!);
        a.falseIds.push(ids.get(e.right[k]!)!);
      } else {
        pushLeafTail(a, t, id, Math.fround(e.value[k]!));
      }
    }
  }
  if (!a.classWeights.some((w) => w < 0)) {
    a.treeIds.push(e.roots.length);
    a.nodeIds.push(0);
    a.hitrates.push(1);
    pushLeafTail(a, e.roots.length, 0, -FLOAT32_TINY);
  }
  return a;
}

/**
 * Each node's share of its tree's training hessian (root = 1), carried in the graph as
 * `nodes_hitrates` so that a reader of the ONNX alone (core's ensembleFromOnnx: an edge serving a
 * registry model) rebuilds the trainer's internal values — hessian-weighted means of the leaves
 * below — and so gives the same reasons as the trees file. Without them every leaf weighed the
 * same, and on the shipped model only 35 % of rows kept their first reason and 12 % their top-3
 * (reason-agreement.test.ts). The shares need no hessians: an internal value is
 * (hL·vL + hR·vR) / (hL + hR), so hL / (hL + hR) = (vR − v) / (vR − vL); where vL = vR any split
 * gives the same value and the halves are kept. onnxruntime reads hitrates as a hint only.
 */
function coverShares(e: TreeEnsemble): Float64Array {
  const share = new Float64Array(e.feature.length);
  for (const root of e.roots) {
    share[root] = 1;
    const stack = [root];
    while (stack.length > 0) {
      const k = stack.pop()!;
      if (e.feature[k]! < 0) continue;
      const l = e.left[k]!;
      const r = e.right[k]!;
      const vl = e.value[l]!;
      const vr = e.value[r]!;
      const toLeft = vl === vr ? 0.5 : Math.min(1, Math.max(0, (vr - e.value[k]!) / (vr - vl)));
      share[l] = share[k]! * toLeft;
      share[r] = share[k]! * (1 - toLeft);
      if (stack.length > e.feature.length) throw new RangeError('exportOnnx: a tree has a cycle');
      stack.push(l, r);
    }
  }
  return share;
}

/** The leaf's node fields after its tree and node ids, and its single vote (column 0). */
function pushLeafTail(a: TreeAttributes, tree: number, id: number, weight: number): void {
  a.featureIds.push(0);
  a.modes.push('LEAF');
  a.values.push(0);
  a.trueIds.push(0);
  a.falseIds.push(0);
  a.classTreeIds.push(tree);
  a.classNodeIds.push(id);
  a.classWeights.push(weight);
}

const utf8 = new TextEncoder();

function ints(name: string, v: number[]): Onnx.IAttributeProto {
  return { name, type: AttributeType.INTS, ints: v };
}
function floats(name: string, v: number[]): Onnx.IAttributeProto {
  return { name, type: AttributeType.FLOATS, floats: v };
}
function strings(name: string, v: string[]): Onnx.IAttributeProto {
  return { name, type: AttributeType.STRINGS, strings: v.map((s) => utf8.encode(s)) };
}
function string(name: string, v: string): Onnx.IAttributeProto {
  return { name, type: AttributeType.STRING, s: utf8.encode(v) };
}

function tensorInfo(name: string, elemType: number, dims: (string | number)[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
        },
      },
    },
  };
}

/** Serialise the ensemble as an ONNX model (bytes of a ModelProto). */
export function exportOnnx(e: TreeEnsemble, options: ExportOptions): Uint8Array {
  const { featureNames, version } = options;
  if (featureNames.length !== e.nFeatures) {
    throw new RangeError(`exportOnnx: ${featureNames.length} names for ${e.nFeatures} features`);
  }
  if (e.roots.length === 0) throw new RangeError('exportOnnx: the ensemble has no trees');
  const a = flatten(e);
  const node: Onnx.INodeProto = {
    name: 'gbdt',
    opType: 'TreeEnsembleClassifier',
    domain: ML_DOMAIN,
    input: [ONNX_INPUT],
    output: [ONNX_LABEL, ONNX_PROBABILITIES],
    attribute: [
      ints('classlabels_int64s', [0, 1]),
      ints(
        'class_ids',
        a.classWeights.map(() => 0),
      ),
      ints('class_nodeids', a.classNodeIds),
      ints('class_treeids', a.classTreeIds),
      floats('class_weights', a.classWeights),
      floats('base_values', [Math.fround(e.baseMargin)]),
      ints('nodes_falsenodeids', a.falseIds),
      ints('nodes_featureids', a.featureIds),
      strings('nodes_modes', a.modes),
      ints('nodes_nodeids', a.nodeIds),
      ints('nodes_treeids', a.treeIds),
      ints('nodes_truenodeids', a.trueIds),
      floats('nodes_values', a.values),
      floats('nodes_hitrates', a.hitrates),
      string('post_transform', 'LOGISTIC'),
    ],
  };
  const docString =
    `Vigil fraud model ${version}: gradient-boosted trees, ${e.roots.length} trees. ` +
    `Input '${ONNX_INPUT}' float [N, ${e.nFeatures}] with columns: ${featureNames.join(', ')}. ` +
    `Outputs '${ONNX_LABEL}' int64 [N] and '${ONNX_PROBABILITIES}' float [N, 2] ` +
    `(column 1 = fraud probability).`;
  const model: Onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [
      { domain: '', version: DEFAULT_OPSET },
      { domain: ML_DOMAIN, version: ML_OPSET },
    ],
    producerName: 'vigil',
    producerVersion: version,
    docString,
    metadataProps: [
      { key: 'feature_names', value: JSON.stringify(featureNames) },
      { key: 'version', value: version },
      { key: 'n_features', value: String(e.nFeatures) },
      { key: 'base_margin', value: String(e.baseMargin) },
    ],
    graph: {
      name: 'vigil_gbdt',
      docString,
      node: [node],
      input: [tensorInfo(ONNX_INPUT, DataType.FLOAT, ['N', e.nFeatures])],
      output: [
        tensorInfo(ONNX_LABEL, DataType.INT64, ['N']),
        tensorInfo(ONNX_PROBABILITIES, DataType.FLOAT, ['N', 2]),
      ],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
