/** Turns feature rows into fraud probabilities: onnxruntime-web in production. */
export interface Scorer {
  /** Model version the scores come from. */
  readonly version: string;
  /** Probabilities of `rows` row-major feature rows in `x`, written into `out`. */
  score(x: Float32Array, rows: number, out: Float32Array): Promise<void>;
}
