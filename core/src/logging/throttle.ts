/**
 * At most one log line per key every `everyMs`: an outage must not flood the logs, yet every line
 * that is written says how many occurrences it stands for (and, for losses, how many items those
 * lost) since the previous one. One counter for the edge's delivery logs, its request-error logs
 * and the backplane's Kafka client logs; each caller writes the line in its own logger.
 */

/** What a written line stands for, since the key's previous line. */
export interface ThrottledCounts {
  /** Occurrences, this one included. */
  readonly occurrences: number;
  /** Items the occurrences reported as lost. */
  readonly dropped: number;
}

/** Count one occurrence of `key`: the counts to log now, or null while the key is quiet. */
export type Throttle = (key: string, dropped?: number) => ThrottledCounts | null;

export const THROTTLE_EVERY_MS = 10_000;

/** A throttle keeping one counter per key; `now` is the clock in ms (Date.now by default). */
export function createThrottle(
  everyMs = THROTTLE_EVERY_MS,
  now: () => number = Date.now,
): Throttle {
  const last = new Map<string, { at: number; occurrences: number; dropped: number }>();
  return (key, dropped = 0) => {
    const t = now();
    let s = last.get(key);
    if (!s) last.set(key, (s = { at: -Infinity, occurrences: 0, dropped: 0 }));
    s.occurrences++;
    s.dropped += dropped;
    if (t - s.at < everyMs) return null;
    const counts = { occurrences: s.occurrences, dropped: s.dropped };
    s.at = t;
    s.occurrences = 0;
    s.dropped = 0;
    return counts;
  };
}
