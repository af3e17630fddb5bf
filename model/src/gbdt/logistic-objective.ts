/** Binary log-loss: per-row gradient and hessian with respect to the margin, and the loss. */

/** Hessians are floored so leaf weights −G/(H+λ) stay finite where p saturates at 0 or 1. */
const MIN_HESSIAN = 1e-16;

/**
 * Fill g and h (for all rows, weighted) at the current margins and return the weighted mean
 * log-loss there. One exp(−|m|) serves the probability, both derivatives and the loss, which
 * is computed exactly as `logLossFromMargin` does: softplus(x) = max(x, 0) + log1p(e^−|x|)
 * with x = −m for positives, m for negatives.
 */
export function logisticGradients(
  margin: Float64Array,
  y: Uint8Array,
  w: Float64Array,
  g: Float64Array,
  h: Float64Array,
): number {
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < margin.length; i++) {
    const m = margin[i]!;
    const e = Math.exp(-Math.abs(m));
    const inv = 1 / (1 + e);
    const p = m >= 0 ? inv : e * inv;
    const wi = w[i]!;
    const label = y[i]!;
    g[i] = (p - label) * wi;
    h[i] = Math.max(p * (1 - p), MIN_HESSIAN) * wi;
    const x = label === 1 ? -m : m;
    sum += wi * (x > 0 ? x + Math.log1p(e) : Math.log1p(e));
    wsum += wi;
  }
  return sum / wsum;
}
