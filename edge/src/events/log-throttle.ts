/**
 * Log lines about delivery trouble, at most one per message every 10 s (core's throttle): an
 * outage must not flood the logs, yet every line says how many occurrences it stands for and, for
 * losses, how many events those lost since the previous line. Shared by the sinks and the Worker's
 * outbox.
 */
import { createThrottle, THROTTLE_EVERY_MS } from '@vigil/core';
import type { Logger } from '../app/app-context.js';

/** `(level, msg, fields, dropped)`: log now, or count towards the next line for `msg`. */
export type ThrottledLog = (
  level: 'warn' | 'error',
  msg: string,
  fields?: object,
  dropped?: number,
) => void;

export function throttleLog(log: Logger, everyMs = THROTTLE_EVERY_MS): ThrottledLog {
  const hit = createThrottle(everyMs);
  return (level, msg, fields = {}, dropped = 0) => {
    const counts = hit(msg, dropped);
    if (counts === null) return;
    const lost = dropped > 0 ? { dropped: counts.dropped } : {};
    log({ level, msg, ...fields, ...lost, occurrences: counts.occurrences });
  };
}
