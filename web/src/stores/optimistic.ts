/**
 * One optimistic change: show the expected result at once, send the request, then keep the
 * server's answer — or put back exactly what was there and report why.
 */
export interface OptimisticStep<S, R> {
  /** Applies the expected result; returns what to restore on failure. */
  readonly apply: () => S;
  /** The request. */
  readonly send: () => Promise<R>;
  /** Takes the server's answer in place of the expectation. */
  readonly confirm: (result: R) => void;
  /** Restores the state `apply` returned. */
  readonly revert: (saved: S) => void;
  /** Told why it failed, after the revert. */
  readonly fail: (err: unknown) => void;
}

/** Runs one optimistic step; resolves true when the server accepted it. Never rejects. */
export async function runOptimistic<S, R>(step: OptimisticStep<S, R>): Promise<boolean> {
  const saved = step.apply();
  try {
    const result = await step.send();
    step.confirm(result);
    return true;
  } catch (err) {
    step.revert(saved);
    step.fail(err);
    return false;
  }
}
