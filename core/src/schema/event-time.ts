/**
 * Times as Vigil accepts them: RFC 3339 date-times, checked so that every store downstream can
 * hold them. The API takes any RFC 3339 offset and hands on the instant in UTC; the events the edge
 * sends carry only what PostgreSQL's timestamptz reads (offsets within ±15:59), because the
 * backplane stores an event's text as it came.
 */
import * as z from 'zod/mini';

/** RFC 3339 date-time with a zone (Z or ±hh:mm). The format alone, no range. */
export const timestampSchema = z.iso.datetime({
  offset: true,
  message: 'timestamp must be an RFC 3339 date-time with a time zone, e.g. 2018-08-08T10:12:03Z',
});

/** Earliest event time a transaction may carry: the Unix epoch. */
export const MIN_EVENT_TIME = '1970-01-01T00:00:00Z';
/** How far past the clock of the service reading it a transaction's time may be: a day of skew. */
export const MAX_FUTURE_SKEW_S = 86_400;
/**
 * Most fractional-second digits a time may carry: nanoseconds, the finest any common producer
 * writes (Go's RFC3339Nano, Java's Instant). PostgreSQL keeps microseconds and refuses a
 * timestamptz text longer than about 128 characters, so an unbounded fraction is refused here.
 */
export const MAX_FRACTION_DIGITS = 9;
/** PostgreSQL's timestamptz refuses a displacement beyond this (`time zone displacement out of range`). */
export const MAX_STORED_OFFSET_MINUTES = 15 * 60 + 59;

// The parts of a string that timestampSchema's format already accepted.
const PARTS = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(?:Z|([+-])(\d\d):(\d\d))$/;

/** Minutes east of UTC of an RFC 3339 date-time (0 for Z), or undefined if it is not one. */
export function offsetMinutes(s: string): number | undefined {
  const m = PARTS.exec(s);
  if (!m) return undefined;
  if (m[8] === undefined) return 0;
  return (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
}

/**
 * The same instant in UTC (`…Z`), its fractional-second digits kept exactly: offsets are whole
 * minutes, so only the date, hours and minutes change. A string already in Z comes back
 * byte-identical; one that is not a date-time, or whose UTC year leaves 0000–9999, comes back
 * unchanged for the format and range checks to refuse. Written here because Date.toISOString
 * would round the fraction to milliseconds.
 */
export function toUtc(s: string): string {
  // The common case first: a time in Z costs no regex here (this runs on every scored transaction).
  if (s.endsWith('Z')) return s;
  const m = PARTS.exec(s);
  if (!m || m[8] === undefined) return s;
  const offset = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]) - offset, Number(m[6]), 0);
  const year = d.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return s;
  return `${d.toISOString().slice(0, 19)}${m[7] ?? ''}Z`;
}

const fractionDigits = (s: string) => /\.(\d+)/.exec(s)?.[1]?.length ?? 0;

/** The checks every event time gets, before any normalisation. */
const eventTimeChecks = [
  z.refine<string>((s) => fractionDigits(s) <= MAX_FRACTION_DIGITS, {
    message: `timestamp may have at most ${MAX_FRACTION_DIGITS} fractional-second digits`,
  }),
  // A string that is no date-time at all has its issue from the format check already.
  z.refine<string>((s) => !(Date.parse(s) < Date.parse(MIN_EVENT_TIME)), {
    message: `timestamp must not be before ${MIN_EVENT_TIME}`,
  }),
  z.refine<string>((s) => !(Date.parse(s) > Date.now() + MAX_FUTURE_SKEW_S * 1000), {
    message: 'timestamp must not be more than a day ahead of the server clock',
  }),
];

/**
 * An event time as the API accepts it (a transaction's time, a verdict's): an RFC 3339 date-time
 * no earlier than 1970 and no more than a day ahead of this service's clock, handed on in UTC.
 * Event time drives every feature window and the stores' retention, so one far-future time would
 * age out every card's history and every saved answer (the edge would score a retried transaction
 * afresh) or become every later verdict's "latest"; and years 0–99 are typos that date libraries
 * read as 1900–1999. Past times are fine: replays of history are how scoring and training agree.
 * Any RFC 3339 offset is taken (±23:59): PostgreSQL holds only ±15:59, so the time leaves the
 * edge in UTC.
 */
export const eventTimeSchema = timestampSchema.check(...eventTimeChecks, z.overwrite(toUtc));

/**
 * An event time as the backplane stores it: the API's rule, and an offset PostgreSQL reads. The
 * edge sends UTC; an older edge's events with a small offset are still good. No normalisation:
 * the consumer writes each event's text as it was received.
 */
export const storedEventTimeSchema = timestampSchema.check(
  ...eventTimeChecks,
  z.refine(
    (s: string) => !(Math.abs(offsetMinutes(s) ?? 0) > MAX_STORED_OFFSET_MINUTES),
    'timestamp must be in UTC or have an offset within ±15:59',
  ),
);
