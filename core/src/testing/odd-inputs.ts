/**
 * fast-check arbitraries of odd inputs — valid, but at the edges of what the schemas take (times
 * at any RFC 3339 offset with up to nine fraction digits, subnormal and boundary amounts, ids of
 * every allowed character) — and of events with hostile text. Shared by the tests that prove
 * "whatever the edge accepts, Postgres stores": core's unit tests, the backplane's test on real
 * PostgreSQL and the system test through both edges. Test code only (`@vigil/core/testing`); the
 * Worker never imports it.
 */
import fc from 'fast-check';
import { decisionEventId, feedbackEventId } from '../events/events.js';
import type { DecisionEventV1, FeedbackEventV1 } from '../events/events.js';
import { FEATURE_NAMES } from '../features/feature-names.js';
import { FEEDBACK_LABELS, type Feedback } from '../schema/feedback.js';
import { MAX_FUTURE_SKEW_S, MIN_EVENT_TIME } from '../schema/event-time.js';
import { CHANNELS, looksLikeCardNumber, type Transaction } from '../schema/transaction.js';

const TOKEN_CHARS = [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-',
] as const;

/** An id of 1–`max` token characters that is not a card number (those are refused, rightly). */
export const oddToken = (max = 100) =>
  fc
    .string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: max })
    .filter((s) => !looksLikeCardNumber(s));

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * An RFC 3339 date-time between 1970 (or `sinceMs`) and `nowMs` + 23 h, written at any offset in
 * ±23:59 with 0–9 fraction digits: the instant as the local time of that offset. `nowMs` is the
 * test's clock.
 */
export const oddTimestamp = (nowMs: number, sinceMs = Date.parse(MIN_EVENT_TIME) + 24 * 3600_000) =>
  fc
    .record({
      ms: fc.integer({ min: sinceMs, max: nowMs + (MAX_FUTURE_SKEW_S - 3600) * 1000 }),
      offset: fc.oneof(
        fc.constantFrom(0, 16 * 60, -(23 * 60 + 59), 23 * 60 + 59, 15 * 60 + 59, -16 * 60, 330),
        fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
      ),
      fraction: fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 9 }),
      zulu: fc.boolean(),
    })
    .map(({ ms, offset, fraction, zulu }) => {
      const local = new Date(Math.floor(ms / 1000) * 1000 + offset * 60_000).toISOString();
      const frac = fraction === '' ? '' : `.${fraction}`;
      if (offset === 0 && zulu) return `${local.slice(0, 19)}${frac}Z`;
      const a = Math.abs(offset);
      const zone = `${offset < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
      return `${local.slice(0, 19)}${frac}${zone}`;
    });

/** An amount the API takes, boundaries and subnormals first. */
export const oddAmount = () =>
  fc.oneof(
    fc.constantFrom(0, -0, 5e-324, 2.2250738585072014e-308, 0.01, 1e9, 999_999_999.999_999_9),
    fc.double({ min: 0, max: 1e9, noNaN: true }),
  );

const IPS = ['10.0.0.1', '255.255.255.255', '::1', '2001:db8::8a2e:370:7334', 'fe80::1'];

/**
 * A transaction the API accepts, odd in every field; its id starts with `idPrefix`, its time is
 * from `sinceMs` (default 1970) on.
 */
export const oddTransaction = (nowMs: number, idPrefix = 'o', sinceMs?: number) =>
  fc.record(
    {
      transaction_id: oddToken(100).map((s) => `${idPrefix}${s}`),
      timestamp: oddTimestamp(nowMs, sinceMs),
      customer_id: oddToken(128),
      terminal_id: oddToken(128),
      amount: oddAmount(),
      currency: fc.constantFrom('EUR', 'USD', 'JPY', 'XXX'),
      channel: fc.constantFrom(...CHANNELS),
      country: fc.constantFrom('DE', 'US', 'ZZ'),
      device_id: oddToken(128),
      ip: fc.constantFrom(...IPS),
    },
    { requiredKeys: ['transaction_id', 'timestamp', 'customer_id', 'terminal_id', 'amount'] },
  ) as fc.Arbitrary<Transaction>;

/** A verdict the API accepts on `transactionId`, at an odd time. */
export const oddFeedback = (nowMs: number, transactionId: string) =>
  fc.record({
    transaction_id: fc.constant(transactionId),
    label: fc.constantFrom(...FEEDBACK_LABELS),
    timestamp: oddTimestamp(nowMs),
  }) as fc.Arbitrary<Feedback>;

/**
 * Text anything may put in an event's free-text field: NUL, lone surrogates, pairs, line
 * separators, quotes and backslashes among any code points. Some of it is storable, some not.
 */
export const hostileText = (minLength = 0, maxLength = 40) =>
  fc.string({
    unit: fc.oneof(
      fc.constantFrom('\u0000', '\ud800', '\udfff', '😀', '\u2028', '"', '\\', 'é'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
    minLength,
    maxLength,
  });

const finite = () =>
  fc.oneof(
    fc.constantFrom(0, -0, 5e-324, -5e-324, 1.7976931348623157e308, -1e308),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  );

/**
 * A decision event around `tx` (a transaction as the edge hands it on, its time in UTC) with
 * hostile text in every free-text field and extreme numbers everywhere a number goes.
 */
export const oddDecisionEvent = (nowMs: number, tx: Transaction) =>
  fc.record({
    event_id: fc.oneof(fc.constant(decisionEventId(tx.transaction_id)), hostileText(1)),
    schema_version: fc.constant(1 as const),
    type: fc.constant('decision' as const),
    transaction: fc.constant(tx),
    score: fc.oneof(fc.constantFrom(0, -0, 1, 5e-324), fc.double({ min: 0, max: 1, noNaN: true })),
    decision: fc.constantFrom('approve' as const, 'review' as const, 'decline' as const),
    reasons: fc.array(
      fc.record({ code: hostileText(1), feature: hostileText(1), contribution: finite() }),
      { maxLength: 3 },
    ),
    features: fc.oneof(
      fc.tuple(...FEATURE_NAMES.map(() => finite())).map((xs) => {
        const out: Record<string, number> = {};
        FEATURE_NAMES.forEach((n, i) => (out[n] = xs[i]!));
        return out;
      }),
      fc.dictionary(hostileText(1, 10), finite(), { maxKeys: 3 }),
    ),
    model_version: hostileText(1),
    degraded: fc.boolean(),
    scored_at: oddTimestamp(nowMs),
    runtime: fc.constantFrom('node' as const, 'workers' as const),
    latency_ms: fc.oneof(fc.constantFrom(0, 5e-324, 1e300), fc.double({ min: 0, noNaN: true })),
  }) as fc.Arbitrary<DecisionEventV1>;

/** A feedback event on `transactionId` with hostile text in every free-text field. */
export const oddFeedbackEvent = (nowMs: number, transactionId: string) =>
  fc
    .record(
      {
        label: fc.constantFrom(...FEEDBACK_LABELS),
        timestamp: oddTimestamp(nowMs),
        source: fc.constantFrom('api' as const, 'analyst' as const),
        customer_id: hostileText(1),
        case_id: hostileText(1),
        actor: hostileText(0),
        event_id: fc.option(hostileText(1), { nil: undefined }),
      },
      { requiredKeys: ['label', 'timestamp', 'source'] },
    )
    .map(({ event_id, ...f }): FeedbackEventV1 => ({
      event_id: event_id ?? feedbackEventId(transactionId, f.label, f.timestamp),
      schema_version: 1,
      type: 'feedback',
      transaction_id: transactionId,
      ...f,
    }));
