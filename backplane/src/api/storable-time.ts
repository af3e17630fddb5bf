/**
 * The times the analysts' API hands to Postgres, held to what a `timestamptz` parameter can carry.
 * Postgres itself reaches 4713 BC to 294276 AD, but a JS Date is written to it through
 * `toISOString()`, which has no year 0 and spells years past 9999 as `+010000-…`: both are refused
 * (SQLSTATE 22008 / 22007), so the API's window is years 0001–9999 in UTC. A time kept as text in a
 * cursor goes to Postgres as text, where a month 13, a second 60 or an offset beyond ±15:59 is
 * refused too: cursorTimeIsStorable checks all of those.
 */

/** The earliest instant a time parameter may name. */
export const MIN_QUERY_TIME = '0001-01-01T00:00:00Z';
/** The latest instant a time parameter may name. */
export const MAX_QUERY_TIME = '9999-12-31T23:59:59.999Z';

const MIN_MS = Date.parse(MIN_QUERY_TIME);
const MAX_MS = Date.parse(MAX_QUERY_TIME);
/** Postgres's largest UTC offset is 15:59 (MAX_TZDISP_HOUR); RFC 3339 allows up to 23:59. */
const MAX_OFFSET_HOURS = 15;

/**
 * A window's default start, `days` before `end`, but never before MIN_QUERY_TIME: a `to` in the
 * first days of year 1 would otherwise hand Postgres a year-0 `from` it refuses.
 */
export function defaultWindowStart(end: Date, days: number): Date {
  return new Date(Math.max(end.getTime() - days * 86_400_000, MIN_MS));
}

/** True when the instant lies in the API's window (years 0001–9999, UTC). */
export function instantIsStorable(ms: number): boolean {
  return Number.isFinite(ms) && ms >= MIN_MS && ms <= MAX_MS;
}

const TEXT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|([+-])(\d{2})(?::(\d{2}))?)$/;

/**
 * True when `text` — a timestamp as Postgres's `to_json` writes it, e.g.
 * `2026-03-04T15:29:58.103412+00:00` — names a real calendar time with an offset Postgres accepts,
 * in years 0001–9999 once the offset is applied.
 */
export function cursorTimeIsStorable(text: string): boolean {
  const m = TEXT.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offsetHours = Number(m[8] ?? 0);
  const offsetMinutes = Number(m[9] ?? 0);
  if (offsetHours > MAX_OFFSET_HOURS || offsetMinutes > 59) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, second, 0);
  // A day or month out of range rolls over (Feb 30 → Mar 2): the fields no longer match.
  if (
    local.getUTCFullYear() !== year ||
    local.getUTCMonth() !== month - 1 ||
    local.getUTCDate() !== day
  ) {
    return false;
  }
  const sign = m[7] === '-' ? -1 : 1;
  return instantIsStorable(local.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000);
}
