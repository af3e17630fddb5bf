/**
 * The tree ensemble inside an ONNX model: what an edge needs beside the ORT session (the reasons,
 * the fallback when the session fails, the answers while it is being built), read from the one
 * artifact the registry keeps, so a registered model needs no trees file.
 *
 * Why a hand-written protobuf reader: we need five attributes of one node. The maintained ONNX
 * bindings for JavaScript (onnx-proto, 330 kB of generated CommonJS over protobufjs 6, whose
 * `inquire` calls eval — refused by workerd) would weigh more in the Worker bundle than all of the
 * edge's own code; the protobuf wire format read here is a stable public spec (varint, fixed32,
 * length-delimited; repeated scalars both packed and not, as proto2 writers differ).
 *
 * Accepted: one `ai.onnx.ml` TreeEnsembleClassifier with `post_transform` LOGISTIC, one base
 * value, `BRANCH_LEQ` splits and leaves whose votes all go to one class column — the form
 * model/'s exporter writes (export-onnx.ts says why). Anything else is refused with a message.
 *
 * Internal node values (the explainer's Saabas steps) are not in an ONNX graph: the trainer's are
 * hessian-weighted means of the leaves below. Here each is weighted by `nodes_hitrates` when the
 * graph has them — model/'s exporter writes each node's hessian share there, so the trainer's
 * internal values and reasons come back exactly — else every leaf counts once: probabilities are
 * still exact, but reasons rank very differently (35 % same first reason on the shipped model).
 */
import type { TreeEnsemble } from './tree-ensemble.js';

/** Thrown for bytes that are not a model this build can walk; the message says why. */
export class OnnxTreesError extends Error {
  override readonly name = 'OnnxTreesError';
}

interface Attribute {
  name: string;
  f?: number;
  s?: Uint8Array;
  floats: number[];
  ints: number[];
  strings: Uint8Array[];
}

/**
 * The names this reader compares (attribute names, op types, modes) are ASCII identifiers of the
 * ONNX-ML spec, so code units are enough; TextDecoder is outside core's ambient-free purity guard.
 */
const utf8 = {
  decode(b: Uint8Array): string {
    let s = '';
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
    return s;
  },
};

class Reader {
  at = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly end = buf.length,
  ) {}

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.end) throw new OnnxTreesError('onnx: truncated varint');
      const b = this.buf[this.at++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result >= 2 ** 63 ? result - 2 ** 64 : result;
      scale *= 128;
    }
    throw new OnnxTreesError('onnx: varint longer than 10 bytes');
  }

  float(): number {
    if (this.at + 4 > this.end) throw new OnnxTreesError('onnx: truncated float');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.at, 4).getFloat32(0, true);
    this.at += 4;
    return v;
  }

  bytes(): Uint8Array {
    const n = this.varint();
    if (n < 0 || this.at + n > this.end) throw new OnnxTreesError('onnx: truncated field');
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.at += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.at += 4;
    else throw new OnnxTreesError(`onnx: unsupported wire type ${wire}`);
    if (this.at > this.end) throw new OnnxTreesError('onnx: truncated field');
  }

  /** Each field of this message: `fn(field, wireType)` reads it or returns false to skip it. */
  each(fn: (field: number, wire: number) => boolean): void {
    while (this.at < this.end) {
      const tag = this.varint();
      const field = Math.floor(tag / 8);
      const wire = tag & 7;
      if (!fn(field, wire)) this.skip(wire);
    }
  }
}

function sub(r: Reader): Reader {
  const b = r.bytes();
  return new Reader(b);
}

function readAttribute(r: Reader): Attribute {
  const a: Attribute = { name: '', floats: [], ints: [], strings: [] };
  r.each((field, wire) => {
    if (field === 1 && wire === 2) a.name = utf8.decode(r.bytes());
    else if (field === 2 && wire === 5) a.f = r.float();
    else if (field === 4 && wire === 2) a.s = r.bytes();
    else if (field === 7 && wire === 5) a.floats.push(r.float());
    else if (field === 7 && wire === 2) {
      const p = sub(r);
      while (p.at < p.end) a.floats.push(p.float());
    } else if (field === 8 && wire === 0) a.ints.push(r.varint());
    else if (field === 8 && wire === 2) {
      const p = sub(r);
      while (p.at < p.end) a.ints.push(p.varint());
    } else if (field === 9 && wire === 2) a.strings.push(r.bytes());
    else return false;
    return true;
  });
  return a;
}

/** The attributes of the graph's one TreeEnsembleClassifier node (ModelProto.graph.node). */
function classifierAttributes(onnx: Uint8Array): Map<string, Attribute> {
  const model = new Reader(onnx);
  const found: Map<string, Attribute>[] = [];
  let others = 0;
  model.each((field, wire) => {
    if (field !== 7 || wire !== 2) return false; // ModelProto.graph
    const graph = sub(model);
    graph.each((gField, gWire) => {
      if (gField !== 1 || gWire !== 2) return false; // GraphProto.node
      const node = sub(graph);
      let opType = '';
      const attrs = new Map<string, Attribute>();
      node.each((nField, nWire) => {
        if (nField === 4 && nWire === 2) opType = utf8.decode(node.bytes());
        else if (nField === 5 && nWire === 2) {
          const a = readAttribute(sub(node));
          attrs.set(a.name, a);
        } else return false;
        return true;
      });
      if (opType === 'TreeEnsembleClassifier') found.push(attrs);
      else others++;
      return true;
    });
    return true;
  });
  if (found.length !== 1 || others > 0) {
    throw new OnnxTreesError(
      `onnx: expected a graph of one TreeEnsembleClassifier node, found ${found.length} ` +
        `and ${others} other nodes`,
    );
  }
  return found[0]!;
}

/**
 * The ensemble of an ONNX model `nFeatures` wide (the features this build computes), such that
 * core's predictProbability equals what onnxruntime answers for the same float32 row.
 */
export function ensembleFromOnnx(onnx: Uint8Array, nFeatures: number): TreeEnsemble {
  const attrs = classifierAttributes(onnx);
  const ints = (name: string): number[] => attrs.get(name)?.ints ?? [];
  const floats = (name: string): number[] => attrs.get(name)?.floats ?? [];
  const post = attrs.get('post_transform')?.s;
  if (!post || utf8.decode(post) !== 'LOGISTIC') {
    throw new OnnxTreesError("onnx: post_transform must be 'LOGISTIC'");
  }
  const base = floats('base_values');
  if (base.length > 1) throw new OnnxTreesError('onnx: more than one base value');
  const classIds = ints('class_ids');
  if (new Set(classIds).size > 1) {
    throw new OnnxTreesError('onnx: leaf votes go to more than one class column');
  }
  const treeIds = ints('nodes_treeids');
  const nodeIds = ints('nodes_nodeids');
  const featureIds = ints('nodes_featureids');
  const modes = (attrs.get('nodes_modes')?.strings ?? []).map((b) => utf8.decode(b));
  const values = floats('nodes_values');
  const trueIds = ints('nodes_truenodeids');
  const falseIds = ints('nodes_falsenodeids');
  const hitrates = floats('nodes_hitrates');
  const n = treeIds.length;
  for (const [name, len] of [
    ['nodes_nodeids', nodeIds.length],
    ['nodes_featureids', featureIds.length],
    ['nodes_modes', modes.length],
    ['nodes_values', values.length],
    ['nodes_truenodeids', trueIds.length],
    ['nodes_falsenodeids', falseIds.length],
  ] as const) {
    if (len !== n) throw new OnnxTreesError(`onnx: ${name} has ${len} entries, not ${n}`);
  }
  if (n === 0) throw new OnnxTreesError('onnx: the ensemble has no nodes');
  // (tree, node id) → flat index.
  const key = (t: number, id: number) => `${t}:${id}`;
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) index.set(key(treeIds[i]!, nodeIds[i]!), i);
  if (index.size !== n) throw new OnnxTreesError('onnx: a (tree, node) id repeats');

  const feature = new Int32Array(n).fill(-1);
  const threshold = new Float32Array(n);
  const left = new Int32Array(n).fill(-1);
  const right = new Int32Array(n).fill(-1);
  const value = new Float64Array(n);
  const weight = new Float64Array(n);
  const child = (t: number, id: number, i: number): number => {
    const k = index.get(key(t, id));
    if (k === undefined) throw new OnnxTreesError(`onnx: node ${i} points to a missing node`);
    return k;
  };
  for (let i = 0; i < n; i++) {
    if (modes[i] === 'LEAF') continue;
    if (modes[i] !== 'BRANCH_LEQ') {
      throw new OnnxTreesError(`onnx: node mode ${modes[i]} (only BRANCH_LEQ and LEAF are walked)`);
    }
    const f = featureIds[i]!;
    if (f < 0 || f >= nFeatures) {
      throw new OnnxTreesError(`onnx: a split reads feature ${f}, the model has ${nFeatures}`);
    }
    feature[i] = f;
    threshold[i] = values[i]!;
    left[i] = child(treeIds[i]!, trueIds[i]!, i);
    right[i] = child(treeIds[i]!, falseIds[i]!, i);
  }
  const classTrees = ints('class_treeids');
  const classNodes = ints('class_nodeids');
  const classWeights = floats('class_weights');
  if (classTrees.length !== classWeights.length || classNodes.length !== classWeights.length) {
    throw new OnnxTreesError('onnx: class_treeids, class_nodeids and class_weights differ');
  }
  for (let v = 0; v < classWeights.length; v++) {
    const k = index.get(key(classTrees[v]!, classNodes[v]!));
    if (k === undefined || feature[k]! >= 0) {
      throw new OnnxTreesError(`onnx: vote ${v} is not on a leaf`);
    }
    // Float32 sums, as onnxruntime adds them.
    value[k] = Math.fround(value[k]! + classWeights[v]!);
  }

  // Roots: the nodes no split points to, one per tree, in tree order.
  const pointed = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (feature[i]! >= 0) {
      pointed[left[i]!] = 1;
      pointed[right[i]!] = 1;
    }
  }
  const roots: number[] = [];
  const rootTree: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!pointed[i]) {
      roots.push(i);
      rootTree.push(treeIds[i]!);
    }
  }
  if (new Set(rootTree).size !== roots.length) {
    throw new OnnxTreesError('onnx: a tree has more than one root');
  }

  // Internal values bottom-up (children first: a post-order walk from each root).
  const seen = new Uint8Array(n);
  for (const root of roots) {
    const stack: number[] = [root];
    while (stack.length > 0) {
      const k = stack[stack.length - 1]!;
      if (feature[k]! < 0) {
        weight[k] = hitrates.length === n ? hitrates[k]! : 1;
        seen[k] = 1;
        stack.pop();
        continue;
      }
      const l = left[k]!;
      const r = right[k]!;
      if (seen[l] && seen[r]) {
        const w = weight[l]! + weight[r]!;
        weight[k] = w;
        value[k] = w > 0 ? (weight[l]! * value[l]! + weight[r]! * value[r]!) / w : 0;
        seen[k] = 1;
        stack.pop();
      } else {
        if (stack.length > n) throw new OnnxTreesError('onnx: a tree has a cycle');
        if (!seen[r]) stack.push(r);
        if (!seen[l]) stack.push(l);
      }
    }
  }
  if (seen.some((s) => s === 0)) throw new OnnxTreesError('onnx: a node belongs to no tree');

  return {
    nFeatures,
    baseMargin: base[0] ?? 0,
    roots: Int32Array.from(roots),
    feature,
    threshold,
    left,
    right,
    value,
  };
}
