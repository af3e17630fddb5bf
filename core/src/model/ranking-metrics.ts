/**
 * Ranking metrics for binary labels, matching scikit-learn's definitions: `rocAuc` ≡
 * roc_auc_score (ties count ½: the Mann–Whitney U with midranks), `averagePrecision` ≡
 * average_precision_score (step-wise sum over distinct thresholds, tied scores form one
 * threshold, no interpolation), both with optional per-row weights; and the handbook's card
 * precision at k. Pure, in core so the trainer (model/) and the backplane's model comparison
 * (GET /api/models/compare) compute them with one implementation.
 */

/** Cumulative (weighted) true- and false-positive counts at each distinct score, highest first. */
interface Sweep {
  readonly tps: Float64Array;
  readonly fps: Float64Array;
  readonly count: number;
}

/** Throws a RangeError when the arrays differ in length or a score is NaN. */
export function checkMetricInputs(
  y: ArrayLike<number>,
  score: ArrayLike<number>,
  weight?: ArrayLike<number>,
) {
  if (score.length !== y.length) throw new RangeError('metrics: y and score differ in length');
  if (weight && weight.length !== y.length) {
    throw new RangeError('metrics: y and weight differ in length');
  }
  for (let i = 0; i < score.length; i++) {
    if (Number.isNaN(score[i])) throw new RangeError(`metrics: score ${i} is NaN`);
  }
}

/**
 * Unweighted rows need no index sort: positives' and negatives' scores are sorted separately
 * with the native numeric typed-array sort (much faster than a comparator) and merged from the
 * top. This matters because early stopping calls the metric every boosting round.
 */
function sweepUnweighted(y: ArrayLike<number>, score: ArrayLike<number>): Sweep {
  let nPos = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) nPos++;
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(y.length - nPos);
  for (let i = 0, p = 0, q = 0; i < y.length; i++) {
    if (y[i] === 1) pos[p++] = score[i]!;
    else neg[q++] = score[i]!;
  }
  pos.sort();
  neg.sort();
  const tps = new Float64Array(y.length);
  const fps = new Float64Array(y.length);
  let i = pos.length - 1;
  let j = neg.length - 1;
  let tp = 0;
  let fp = 0;
  let count = 0;
  while (i >= 0 || j >= 0) {
    const t = i < 0 ? neg[j]! : j < 0 ? pos[i]! : Math.max(pos[i]!, neg[j]!);
    while (i >= 0 && pos[i] === t) {
      tp++;
      i--;
    }
    while (j >= 0 && neg[j] === t) {
      fp++;
      j--;
    }
    tps[count] = tp;
    fps[count] = fp;
    count++;
  }
  return { tps, fps, count };
}

function sweepWeighted(
  y: ArrayLike<number>,
  score: ArrayLike<number>,
  weight: ArrayLike<number>,
): Sweep {
  const order = new Uint32Array(y.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => score[b]! - score[a]!);
  const tps = new Float64Array(y.length);
  const fps = new Float64Array(y.length);
  let tp = 0;
  let fp = 0;
  let count = 0;
  for (let k = 0; k < order.length;) {
    const t = score[order[k]!]!;
    while (k < order.length && score[order[k]!] === t) {
      const r = order[k++]!;
      if (y[r] === 1) tp += weight[r]!;
      else fp += weight[r]!;
    }
    tps[count] = tp;
    fps[count] = fp;
    count++;
  }
  return { tps, fps, count };
}

function sweep(y: ArrayLike<number>, score: ArrayLike<number>, weight?: ArrayLike<number>): Sweep {
  checkMetricInputs(y, score, weight);
  return weight ? sweepWeighted(y, score, weight) : sweepUnweighted(y, score);
}

/**
 * Area under the ROC curve; tied scores count ½ (trapezoids between distinct thresholds).
 * NaN when only one class is present.
 */
export function rocAuc(
  y: ArrayLike<number>,
  score: ArrayLike<number>,
  weight?: ArrayLike<number>,
): number {
  const { tps, fps, count } = sweep(y, score, weight);
  if (count === 0) return NaN;
  const totalPos = tps[count - 1]!;
  const totalNeg = fps[count - 1]!;
  if (totalPos <= 0 || totalNeg <= 0) return NaN;
  let area = 0;
  let prevTp = 0;
  let prevFp = 0;
  for (let k = 0; k < count; k++) {
    area += (fps[k]! - prevFp) * (tps[k]! + prevTp);
    prevTp = tps[k]!;
    prevFp = fps[k]!;
  }
  return area / (2 * totalPos * totalNeg);
}

/**
 * Average precision: Σ over distinct thresholds (highest first) of Δrecall × precision.
 * NaN when there are no positives.
 */
export function averagePrecision(
  y: ArrayLike<number>,
  score: ArrayLike<number>,
  weight?: ArrayLike<number>,
): number {
  const { tps, fps, count } = sweep(y, score, weight);
  if (count === 0) return NaN;
  const totalPos = tps[count - 1]!;
  if (totalPos <= 0) return NaN;
  let ap = 0;
  let prevTp = 0;
  for (let k = 0; k < count; k++) {
    const tp = tps[k]!;
    if (tp !== prevTp) ap += ((tp - prevTp) * tp) / (tp + fps[k]!);
    prevTp = tp;
  }
  return ap / totalPos;
}

/**
 * Card Precision@k: per test day, each card's highest score and whether it had a fraud that day;
 * the share of frauds among the top k cards; cards found on earlier days are left out of later
 * ones; averaged over the days.
 */
export function cardPrecisionAtK(
  customer: ArrayLike<number>,
  day: ArrayLike<number>,
  label: ArrayLike<number>,
  score: ArrayLike<number>,
  k = 100,
): number {
  const days = [...new Set(Array.from(day))].sort((a, b) => a - b);
  const detected = new Set<number>();
  let total = 0;
  for (const d of days) {
    const best = new Map<number, { score: number; fraud: number }>();
    for (let i = 0; i < day.length; i++) {
      if (day[i] !== d) continue;
      const c = customer[i]!;
      if (detected.has(c)) continue;
      const b = best.get(c);
      if (!b) best.set(c, { score: score[i]!, fraud: label[i]! });
      else {
        if (score[i]! > b.score) b.score = score[i]!;
        if (label[i]! > b.fraud) b.fraud = label[i]!;
      }
    }
    const ranked = [...best.entries()].sort((a, b) => b[1].score - a[1].score).slice(0, k);
    let hits = 0;
    for (const [c, v] of ranked) {
      if (v.fraud === 1) {
        hits++;
        detected.add(c);
      }
    }
    total += hits / k;
  }
  return days.length ? total / days.length : 0;
}
