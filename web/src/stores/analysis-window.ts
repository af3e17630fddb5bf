/**
 * The windows the backtest and the thresholds preview look back over: the last 7, 30 or 90 days
 * of stored decisions (on `scored_at`, as the transactions list), 30 by default as in the API.
 */
export const ANALYSIS_WINDOWS = [7, 30, 90] as const;
export type AnalysisWindow = (typeof ANALYSIS_WINDOWS)[number];
export const DEFAULT_WINDOW: AnalysisWindow = 30;

const DAY_MS = 86_400_000;

/** `{ from, to }` (RFC 3339, UTC) for the last `days` days before `now`. */
export function windowRange(days: number, now: number): { from: string; to: string } {
  return { from: new Date(now - days * DAY_MS).toISOString(), to: new Date(now).toISOString() };
}
