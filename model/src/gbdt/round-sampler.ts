/** Per-tree row and feature subsampling, drawn from the trainer's seeded stream. */
import type { Rng } from '@vigil/sim';

export class RoundSampler {
  /** In-bag rows of the current tree, ascending (histogram reads stay sequential). */
  readonly rows: Int32Array;
  nIn = 0;
  /** Rows left out of the current tree, ascending. */
  readonly outOfBag: Int32Array;
  nOut = 0;
  /** Features drawn for the current tree, ascending, in features[0, nSelected). */
  readonly features: Int32Array;
  readonly nSelected: number;
  private readonly keepThreshold: number;

  constructor(
    private readonly n: number,
    private readonly nFeatures: number,
    private readonly subsample: number,
    colsampleByTree: number,
    private readonly rng: Rng,
  ) {
    this.rows = new Int32Array(n);
    this.outOfBag = new Int32Array(n);
    this.features = new Int32Array(nFeatures);
    this.nSelected = Math.max(1, Math.round(nFeatures * colsampleByTree));
    this.keepThreshold = subsample * 4294967296;
  }

  /** Draw the next tree's features (without replacement) and rows (Bernoulli, `subsample`). */
  draw(): void {
    const { n, nFeatures, rows, outOfBag } = this;
    if (this.nSelected === nFeatures) for (let f = 0; f < nFeatures; f++) this.features[f] = f;
    else this.features.set(this.rng.sample(nFeatures, this.nSelected).sort());
    let nIn = 0;
    let nOut = 0;
    if (this.subsample === 1) {
      for (let i = 0; i < n; i++) rows[nIn++] = i;
    } else {
      for (let i = 0; i < n; i++) {
        if (this.rng.nextUint32() < this.keepThreshold) rows[nIn++] = i;
        else outOfBag[nOut++] = i;
      }
    }
    this.nIn = nIn;
    this.nOut = nOut;
  }
}
