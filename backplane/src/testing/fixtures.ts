/**
 * Events for tests, drills and the benchmark: valid by core's schemas, deterministic from an index,
 * with the event ids the edge gives them.
 */
import {
  decisionEventId,
  EVENT_SCHEMA_VERSION,
  FEATURE_NAMES,
  feedbackEventId,
  signBody,
  type DecisionEventV1,
  type FeedbackEventV1,
} from '@vigil/core';
import { nodeHmacSha256 } from '../http/node-hmac.js';

const DECISIONS = ['approve', 'approve', 'approve', 'review', 'decline'] as const;

const FEATURES: Record<string, number> = Object.fromEntries(
  FEATURE_NAMES.map((n, i) => [n, i / 10]),
);

/** Decision number `i` of run `run` (transaction `tx_<run>_<i>`). */
export function decisionEvent(i: number, run = 'r'): DecisionEventV1 {
  const transactionId = `tx_${run}_${i}`;
  const t = new Date(Date.UTC(2018, 7, 8, 10, 0, 0) + i * 1000).toISOString();
  return {
    event_id: decisionEventId(transactionId),
    schema_version: EVENT_SCHEMA_VERSION,
    type: 'decision',
    transaction: {
      transaction_id: transactionId,
      timestamp: t,
      customer_id: `c_${i % 997}`,
      terminal_id: `t_${i % 1009}`,
      amount: Math.round(((i * 7919) % 100_000) / 10) / 10,
      currency: 'EUR',
    },
    score: (i % 100) / 100,
    decision: DECISIONS[i % DECISIONS.length]!,
    reasons: [
      { code: 'AMOUNT_VS_CUSTOMER_MEAN', feature: 'amount_to_mean_30d', contribution: 0.1 },
    ],
    features: FEATURES,
    model_version: 'gbdt-test',
    degraded: false,
    scored_at: new Date().toISOString(),
    runtime: 'node',
    latency_ms: 0.5,
  };
}

/** A verdict on transaction `tx_<run>_<i>`. */
export function feedbackEvent(
  i: number,
  label: 'fraud' | 'legitimate',
  timestamp: string,
  run = 'r',
): FeedbackEventV1 {
  const transactionId = `tx_${run}_${i}`;
  return {
    event_id: feedbackEventId(transactionId, label, timestamp),
    schema_version: EVENT_SCHEMA_VERSION,
    type: 'feedback',
    transaction_id: transactionId,
    label,
    timestamp,
    source: 'api',
  };
}

/** Decisions `from` to `from + n - 1` of run `run`, with a fraud verdict after every `verdictEvery`th. */
export function eventStream(run: string, from: number, n: number, verdictEvery: number) {
  const out: (DecisionEventV1 | FeedbackEventV1)[] = [];
  for (let i = from; i < from + n; i++) {
    out.push(decisionEvent(i, run));
    if (i % verdictEvery === verdictEvery - 1) {
      out.push(feedbackEvent(i, 'fraud', '2018-09-01T00:00:00Z', run));
    }
  }
  return out;
}

/** Headers of a signed ingest POST of `body`, as the edge sends it. */
export async function signedHeaders(
  secret: string,
  body: string,
  nowS = Date.now() / 1000,
): Promise<Record<string, string>> {
  return {
    'content-type': 'application/json',
    'x-vigil-signature': await signBody(nodeHmacSha256, secret, body, nowS),
  };
}
