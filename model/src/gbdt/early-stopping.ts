/** Tracks the best validation round and says when to stop. */
import type { EvalMetric } from './params.js';

export class EarlyStopping {
  bestIteration = 0;
  private best: number;
  private readonly higherIsBetter: boolean;

  /** `patience` 0 never stops early (but still remembers the best round). */
  constructor(
    metric: EvalMetric,
    private readonly patience: number,
  ) {
    this.higherIsBetter = metric !== 'logloss';
    this.best = this.higherIsBetter ? -Infinity : Infinity;
  }

  /** Record round `iter`'s metric; true when `patience` rounds have passed without a gain. */
  update(iter: number, value: number): boolean {
    if (this.higherIsBetter ? value > this.best : value < this.best) {
      this.best = value;
      this.bestIteration = iter;
      return false;
    }
    return this.patience > 0 && iter - this.bestIteration >= this.patience;
  }
}
