/**
 * A model's scorer from the moment its trees are read: core's tree walk answers while the ORT
 * session is being built (~0.5 s for the first session of an isolate or process: WebAssembly
 * instantiation and graph load), then ORT does. Both give the same probabilities within 1e-5
 * (the trees are ORT's own, read from the same ONNX or written beside it by the trainer), so an
 * isolate's first payments do not wait for the session, and a swap need not either.
 *
 * Nothing awaits the build on a request's path: a request reads `session` once per call. That
 * also keeps Workers happy, where a promise settled in one request's context must not be
 * awaited from another's: the build runs under the waitUntil of the request that started it.
 */
import { N_FEATURES, predictProbability, type TreeEnsemble } from '@vigil/core';
import type { OrtScorer } from './ort-scorer.js';

export class WarmingScorer implements OrtScorer {
  private session: OrtScorer | null = null;
  private released = false;
  /** Why the session could not be built (then the tree walk keeps answering). */
  failure: unknown = undefined;
  /** Settles when the build ends: true when ORT serves, false when it failed or was released. */
  readonly ready: Promise<boolean>;

  constructor(
    readonly version: string,
    private readonly ensemble: TreeEnsemble,
    build: () => Promise<OrtScorer>,
  ) {
    this.ready = build().then(
      (s) => {
        if (this.released) return s.release().then(() => false);
        this.session = s;
        return true;
      },
      (error: unknown) => {
        this.failure = error;
        return false;
      },
    );
  }

  /** True once ORT answers. */
  get warm(): boolean {
    return this.session !== null;
  }

  score(x: Float32Array, rows: number, out: Float32Array): Promise<void> {
    const s = this.session;
    if (s) return s.score(x, rows, out);
    if (x.length < rows * N_FEATURES || out.length < rows) {
      return Promise.reject(new RangeError(`tree walk: buffers too small for ${rows} rows`));
    }
    for (let k = 0; k < rows; k++) out[k] = predictProbability(this.ensemble, x, k * N_FEATURES);
    return Promise.resolve();
  }

  /** Release the session (now, or when its build ends); the tree walk answers meanwhile. */
  release(): Promise<void> {
    this.released = true;
    const s = this.session;
    this.session = null;
    return s ? s.release() : Promise.resolve();
  }
}
