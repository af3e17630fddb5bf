/** What each further item of a feature-store call adds to its time limit, ms. */
export const FEATURE_TIMEOUT_PER_ITEM_MS = 0.5;

/**
 * The time limit, ms, of one feature-store call carrying `items` transactions or labels: the
 * limit of a single item (VIGIL_FEATURE_TIMEOUT_MS) plus `perItemMs` for each further one, so a
 * batch of 1,000 at the default 30 ms gets 530 ms. The store's work grows with the batch (~0.1 ms
 * a transaction in the Lua script), and one flat limit for 1 and 1,000 items would either wait
 * too long for one or fail every large batch. One rule for every party: the scoring service
 * answers degraded when a step of n transactions is not back within it, whatever the store
 * (memory, Redis over TCP or Upstash REST), and the Redis stores give up on their own request
 * after it (counting the answers that ride along as a tenth of an item each). 0 = no limit.
 */
export function featureDeadlineMs(
  timeoutMs: number,
  items: number,
  perItemMs: number = FEATURE_TIMEOUT_PER_ITEM_MS,
): number {
  if (timeoutMs === 0) return 0;
  return Math.ceil(timeoutMs + perItemMs * Math.max(0, items - 1));
}
