/**
 * The state updates of the feature engine as a tiny program of storage operations.
 *
 * The engine folds a transaction or a label into a state with three primitives on a Float64Array
 * (below); the velocity states (velocity-state.ts) use two more that also count. In memory they run directly. A Redis store must run the fold inside its Lua script to
 * stay atomic in one round trip; rather than re-implementing the fold there, it receives the same
 * primitives as an op program (`customerOps`, `terminalOps`, `labelOps`) and interprets them. The
 * Lua side knows slots and numbers, never features: what to add where stays decided here, once.
 */

/** Op codes. Each op is a fixed-length record in a Float64Array program. */
export const OP_RING_ADD = 1; // [1, tag, day, width, add1, add2, add3, add4, maxField, maxValue]
export const OP_MAX = 2; // [2, index, value]
export const OP_LABEL = 3; // [3, tag, day, fraudField, countField, delta]
export const OP_RECENT = 4; // [4, base, slots, stamp, since, out]
export const OP_DISTINCT = 5; // [5, base, slots, hash, stamp, since, out]
export const OP_LENGTH = {
  [OP_RING_ADD]: 10,
  [OP_MAX]: 3,
  [OP_LABEL]: 6,
  [OP_RECENT]: 6,
  [OP_DISTINCT]: 7,
} as const;

/**
 * Add to the fields of the ring bucket whose day tag is at `tag`: a bucket holding an older day is
 * recycled for `day` first; one holding a later day is left alone (the event is too old to matter).
 * Field i (1 … width − 1) gets add_i; field `maxField` (0 = none) becomes max(field, maxValue).
 */
export function ringAdd(
  s: Float64Array,
  tag: number,
  day: number,
  width: number,
  add1: number,
  add2: number,
  add3: number,
  add4: number,
  maxField: number,
  maxValue: number,
): void {
  const cur = s[tag]!;
  if (cur > day) return;
  if (cur < day) {
    s[tag] = day;
    for (let i = 1; i < width; i++) s[tag + i] = 0;
  }
  if (width > 1) s[tag + 1]! += add1;
  if (width > 2) s[tag + 2]! += add2;
  if (width > 3) s[tag + 3]! += add3;
  if (width > 4) s[tag + 4]! += add4;
  if (maxField > 0 && maxValue > s[tag + maxField]!) s[tag + maxField] = maxValue;
}

/** s[index] = max(s[index], value). */
export function maxAt(s: Float64Array, index: number, value: number): void {
  if (value > s[index]!) s[index] = value;
}

/**
 * Add `delta` to the fraud count of the bucket for `day` if the ring still holds that day,
 * keeping it within 0 … the bucket's transaction count.
 */
export function labelAt(
  s: Float64Array,
  tag: number,
  day: number,
  fraudField: number,
  countField: number,
  delta: number,
): void {
  if (s[tag] !== day) return;
  const f = s[tag + fraudField]! + delta;
  s[tag + fraudField] = Math.min(Math.max(0, f), s[tag + countField]!);
}

/**
 * A bounded set of recent stamps (velocity-state.ts): `slots` values from `base`, 0 = empty. The
 * stamp takes the place of the smallest (the first of equals) if that is smaller, so the set keeps
 * the largest stamps seen; `out[outIndex]` becomes how many are > `since` (the count saturates at
 * `slots`).
 */
export function recentAdd(
  s: Float64Array,
  base: number,
  slots: number,
  stamp: number,
  since: number,
  out: Float64Array | undefined,
  outIndex: number,
): void {
  let min = base;
  for (let i = base + 1; i < base + slots; i++) if (s[i]! < s[min]!) min = i;
  if (s[min]! < stamp) s[min] = stamp;
  if (!out) return;
  let n = 0;
  for (let i = base; i < base + slots; i++) if (s[i]! > since) n++;
  out[outIndex] = n;
}

/**
 * A bounded set of (hash, last stamp) pairs from `base`, (0, 0) = empty: a hash already there
 * (with a stamp > 0) keeps the larger stamp; a new one takes the place of the pair with the
 * smallest stamp (the first of equals) if that is smaller. `out[outIndex]` becomes how many pairs
 * have a stamp > `since`: distinct values seen in the window, saturating at `slots`.
 */
export function distinctAdd(
  s: Float64Array,
  base: number,
  slots: number,
  hash: number,
  stamp: number,
  since: number,
  out: Float64Array | undefined,
  outIndex: number,
): void {
  const end = base + 2 * slots;
  let found = -1;
  let min = base;
  for (let i = base; i < end; i += 2) {
    if (s[i] === hash && s[i + 1]! > 0) {
      found = i;
      break;
    }
    if (s[i + 1]! < s[min + 1]!) min = i;
  }
  if (found >= 0) {
    if (stamp > s[found + 1]!) s[found + 1] = stamp;
  } else if (s[min + 1]! < stamp) {
    s[min] = hash;
    s[min + 1] = stamp;
  }
  if (!out) return;
  let n = 0;
  for (let i = base + 1; i < end; i += 2) if (s[i]! > since) n++;
  out[outIndex] = n;
}

/**
 * Run an op program against a state (the in-memory interpreter; Lua mirrors it). The counting ops
 * (OP_RECENT, OP_DISTINCT) write their counts into `out`, when given.
 */
export function applyOps(s: Float64Array, program: Float64Array, out?: Float64Array): void {
  let i = 0;
  while (i < program.length) {
    const op = program[i]!;
    const p = (k: number) => program[i + k]!;
    if (op === OP_RING_ADD) {
      ringAdd(s, p(1), p(2), p(3), p(4), p(5), p(6), p(7), p(8), p(9));
      i += OP_LENGTH[OP_RING_ADD];
    } else if (op === OP_MAX) {
      maxAt(s, p(1), p(2));
      i += OP_LENGTH[OP_MAX];
    } else if (op === OP_LABEL) {
      labelAt(s, p(1), p(2), p(3), p(4), p(5));
      i += OP_LENGTH[OP_LABEL];
    } else if (op === OP_RECENT) {
      recentAdd(s, p(1), p(2), p(3), p(4), out, p(5));
      i += OP_LENGTH[OP_RECENT];
    } else if (op === OP_DISTINCT) {
      distinctAdd(s, p(1), p(2), p(3), p(4), p(5), out, p(6));
      i += OP_LENGTH[OP_DISTINCT];
    } else {
      throw new Error(`state ops: unknown op ${op} at ${i}`);
    }
  }
}
