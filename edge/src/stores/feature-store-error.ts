/** Why a remote feature store call failed. Stable: callers and metrics switch on it. */
export type FeatureStoreErrorCode =
  /** The request did not complete in time; the step may or may not have been applied. */
  | 'FEATURE_STORE_TIMEOUT'
  /** Redis (or the REST endpoint) could not be reached or refused the call. */
  | 'FEATURE_STORE_UNAVAILABLE'
  /** The store answered something the adapter does not understand: a bug or a version skew. */
  | 'FEATURE_STORE_BAD_REPLY';

/** A remote feature store failure. The edge answers `degraded: true` on any of them. */
export class FeatureStoreError extends Error {
  override readonly name = 'FeatureStoreError';
  constructor(
    readonly code: FeatureStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
