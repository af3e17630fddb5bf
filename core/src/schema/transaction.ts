/**
 * The scoring API's transaction, validated at every border with zod's "mini" build: it tree-shakes
 * to a few kB in the Worker bundle (see docs/dependencies.md) and emits JSON Schema for the
 * OpenAPI document, so the docs and the handler share one definition.
 */
import * as z from 'zod/mini';
import { eventTimeSchema, storedEventTimeSchema } from './event-time.js';
import { canonicalIp } from './canonical-ip.js';
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

export const CHANNELS = [
  'ecommerce',
  'in_store',
  'contactless',
  'moto',
  'recurring',
  'atm',
] as const;

/** A transaction's id, as the scoring and feedback APIs accept it: a token, as every other id. */
export const transactionIdSchema = token('transaction_id');

/** An IPv4 or IPv6 address, as text. */
const ipSchema = z.union([z.ipv4(), z.ipv6()], 'ip must be an IPv4 or IPv6 address');

/** The transaction's fields; the API and the events differ only in what they take as its time. */
const transactionFields = <T extends z.ZodMiniType<string, string>>(
  timestamp: T,
  canonical: boolean,
) => ({
  transaction_id: transactionIdSchema,
  timestamp,
  customer_id: token('customer_id'),
  terminal_id: token('terminal_id'),
  // Every finite double in [0, 1e9] is storable: float8 takes subnormals (5e-324) through
  // json_to_recordset, and -0 leaves the edge as 0 (JSON.stringify). JSON has no NaN or ∞.
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
  // The API hands the ip on canonical (canonical-ip.ts), as it hands the time on in UTC: lists,
  // velocity and rules then see one address as one value.
  ip: z.optional(canonical ? ipSchema.check(z.overwrite(canonicalIp)) : ipSchema),
});

/** A transaction as the scoring API takes it; its `timestamp` comes out in UTC, its `ip` canonical. */
export const transactionSchema = z.strictObject(
  transactionFields(eventTimeSchema, true),
  'a transaction must be a JSON object',
);

/**
 * A transaction inside a decision event (the edge has put its time in UTC): what the backplane
 * accepts is what Postgres stores, and the event's text is stored as it came, so nothing is
 * normalised here.
 */
export const storedTransactionSchema = z.strictObject(
  transactionFields(storedEventTimeSchema, false),
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
