/**
 * The scoring API's transaction, validated at every border with zod's "mini" build: it tree-shakes
 * to a few kB in the Worker bundle (see docs/dependencies.md) and emits JSON Schema for the
 * OpenAPI document, so the docs and the handler share one definition.
 */
import * as z from 'zod/mini';
import { toFieldIssues, type Validated } from './issues.js';

const TOKEN = /^[A-Za-z0-9._:-]+$/;

/** 13–19 digits passing the Luhn check: a primary account number, which Vigil never accepts. */
export function looksLikeCardNumber(s: string): boolean {
  const digits = s.replace(/[ -]/g, '');
  if (!/^\d{13,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const token = (what: string) =>
  z.string(`${what} is required and must be a string`).check(
    z.minLength(1, `${what} must not be empty`),
    z.maxLength(128, `${what} must be at most 128 characters`),
    z.regex(TOKEN, `${what} may contain only A–Z, a–z, 0–9 and . _ : -`),
    z.refine((s) => !looksLikeCardNumber(s), {
      message: `${what} looks like a card number: send a token, never a PAN`,
    }),
  );

/** RFC 3339 date-time with a zone (Z or ±hh:mm). */
export const timestampSchema = z.iso.datetime({
  offset: true,
  message: 'timestamp must be an RFC 3339 date-time with a time zone, e.g. 2018-08-08T10:12:03Z',
});

/** Earliest event time a transaction may carry: the Unix epoch. */
export const MIN_EVENT_TIME = '1970-01-01T00:00:00Z';
/** How far past the clock of the service reading it a transaction's time may be: a day of skew. */
export const MAX_FUTURE_SKEW_S = 86_400;

/**
 * A transaction's event time: an RFC 3339 date-time no earlier than 1970 and no more than a day
 * ahead of this service's clock. Event time drives every feature window and the stores' retention,
 * so one far-future time would age out every card's history and every saved answer (the edge
 * would score a retried transaction afresh); and years 0–99 are typos that date libraries read as
 * 1900–1999. Past times are fine: replays of history are how scoring and training agree.
 */
export const eventTimeSchema = timestampSchema.check(
  // A string that is no date-time at all has its issue from the format check already.
  z.refine((s) => !(Date.parse(s) < Date.parse(MIN_EVENT_TIME)), {
    message: `timestamp must not be before ${MIN_EVENT_TIME}`,
  }),
  z.refine((s) => !(Date.parse(s) > Date.now() + MAX_FUTURE_SKEW_S * 1000), {
    message: 'timestamp must not be more than a day ahead of the server clock',
  }),
);

export const CHANNELS = [
  'ecommerce',
  'in_store',
  'contactless',
  'moto',
  'recurring',
  'atm',
] as const;

/** A transaction's id, as the scoring and feedback APIs accept it. */
export const transactionIdSchema = z
  .string('transaction_id is required and must be a string')
  .check(
    z.minLength(1, 'transaction_id must not be empty'),
    z.maxLength(128, 'transaction_id must be at most 128 characters'),
    z.regex(TOKEN, 'transaction_id may contain only A–Z, a–z, 0–9 and . _ : -'),
  );

export const transactionSchema = z.strictObject(
  {
    transaction_id: transactionIdSchema,
    timestamp: eventTimeSchema,
    customer_id: token('customer_id'),
    terminal_id: token('terminal_id'),
    amount: z
      .number('amount is required and must be a finite number')
      .check(
        z.gte(0, 'amount must be ≥ 0 (zero is a card verification)'),
        z.lte(1e9, 'amount must be ≤ 1e9'),
      ),
    currency: z.optional(
      z.string().check(z.regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code such as EUR')),
    ),
    channel: z.optional(z.enum(CHANNELS, `channel must be one of ${CHANNELS.join(', ')}`)),
    country: z.optional(
      z
        .string()
        .check(z.regex(/^[A-Z]{2}$/, 'country must be an ISO 3166-1 alpha-2 code such as DE')),
    ),
    device_id: z.optional(token('device_id')),
    ip: z.optional(z.union([z.ipv4(), z.ipv6()], 'ip must be an IPv4 or IPv6 address')),
  },
  'a transaction must be a JSON object',
);

/** A transaction as the API accepts it. */
export type Transaction = z.infer<typeof transactionSchema>;

/** Epoch seconds of an RFC 3339 timestamp (already validated). */
export function epochSeconds(timestamp: string): number {
  return Date.parse(timestamp) / 1000;
}

/** Validate one untrusted transaction; `prefix` roots the reported paths (e.g. a batch index). */
export function validateTransaction(
  input: unknown,
  prefix: readonly PropertyKey[] = [],
): Validated<Transaction> {
  const r = z.safeParse(transactionSchema, input);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, issues: toFieldIssues(r.error.issues, prefix) };
}
