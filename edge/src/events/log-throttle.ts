/**
 * Log lines about delivery trouble, at most one per message every `everyMs` (default 10 s): an
 * outage must not flood the logs, yet every line says how many occurrences it stands for and, for
 * losses, how many events those lost since the previous line. Shared by the sinks and the Worker's
 * outbox.
 */
import type { Logger } from '../app/app-context.js';

export const LOG_EVERY_MS = 10_000;

/** `(level, msg, fields, dropped)`: log now, or count towards the next line for `msg`. */
export type ThrottledLog = (
  level: 'warn' | 'error',
  msg: string,
  fields?: object,
  dropped?: number,
) => void;

export function throttleLog(log: Logger, everyMs = LOG_EVERY_MS): ThrottledLog {
  const last = new Map<string, { at: number; occurrences: number; dropped: number }>();
  return (level, msg, fields = {}, dropped = 0) => {
    const now = Date.now();
    let s = last.get(msg);
    if (!s) last.set(msg, (s = { at: -Infinity, occurrences: 0, dropped: 0 }));
    s.occurrences++;
    s.dropped += dropped;
    if (now - s.at < everyMs) return;
    const counts = dropped > 0 ? { dropped: s.dropped } : {};
    log({ level, msg, ...fields, ...counts, occurrences: s.occurrences });
    s.at = now;
    s.occurrences = 0;
    s.dropped = 0;
  };
}
