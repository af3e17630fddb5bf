/**
 * What one scoring call does with each of its items, decided as the store's outcomes are read:
 * score it on a feature row, answer it with a stored answer (replay), leave it pending (scored
 * elsewhere, not yet answered), or answer it as a repeat of an earlier item in the same batch.
 * Two typed arrays rather than an object per item: a batch of 1 000 allocates two arrays.
 */

/** The plan of one item. */
export const PLAN = { row: 0, replay: 1, pending: 2, duplicate: 3 } as const;
export type PlanKind = (typeof PLAN)[keyof typeof PLAN];

export class ItemPlan {
  private readonly kinds: Uint8Array;
  /** The row of a `row` item, the earlier item of a `duplicate`; unused otherwise. */
  private readonly refs: Int32Array;

  constructor(readonly size: number) {
    this.kinds = new Uint8Array(size);
    this.refs = new Int32Array(size);
  }

  /** Item `i` is scored on feature row `row`. */
  score(i: number, row: number): void {
    this.kinds[i] = PLAN.row;
    this.refs[i] = row;
  }

  replay(i: number): void {
    this.kinds[i] = PLAN.replay;
  }

  pending(i: number): void {
    this.kinds[i] = PLAN.pending;
  }

  /** Item `i` repeats item `first` (earlier in the batch) and gets its answer, as a replay. */
  duplicate(i: number, first: number): void {
    this.kinds[i] = PLAN.duplicate;
    this.refs[i] = first;
  }

  kind(i: number): PlanKind {
    return this.kinds[i] as PlanKind;
  }

  /** The feature row of item `i`, or -1 when it is not scored here. */
  row(i: number): number {
    return this.kinds[i] === PLAN.row ? this.refs[i]! : -1;
  }

  /** The earlier item `i` repeats, or -1 when it is not a duplicate. */
  firstOf(i: number): number {
    return this.kinds[i] === PLAN.duplicate ? this.refs[i]! : -1;
  }
}
