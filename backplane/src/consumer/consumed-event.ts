/**
 * The consumer's check of a Kafka message: structural, not core's schemas.
 *
 * Only the backplane's own ingest produces to the event topics, and it validates every event with
 * core's schemas (the border) before producing it: the very bytes it validated, or `JSON.stringify`
 * of the validated value (ingest/event-slices.ts). Running the full zod validation again on every
 * consumed message cost about as much CPU as everything else the consumer does in Node
 * (docs/measurements.md), for no guarantee the ingest has not given already. What the consumer still checks is what it relies on: the text is
 * JSON, an object of schema_version 1 and a known type with an event_id, and the fields the SQL
 * statement, the labels and the live feed read have the right JSON types. A message that fails is
 * still set aside, logged and counted (`invalid_messages_total`), never a crash; a value Postgres
 * refuses (a cast, a NOT NULL) is isolated by the consumer's event-by-event write and counted as
 * rejected. A producer other than the ingest would have to validate with core's schemas itself.
 */
import { EVENT_SCHEMA_VERSION, type VigilEvent } from '@vigil/core';

export type Checked = { ok: true; value: VigilEvent } | { ok: false; problem: string };

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
const num = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const DECISIONS = new Set(['approve', 'review', 'decline']);

/** The first field that does not hold what the consumer needs, or null. */
function decisionProblem(e: Obj): string | null {
  const t = e.transaction;
  if (!isObj(t)) return 'transaction';
  if (!str(t.transaction_id)) return 'transaction/transaction_id';
  if (!str(t.timestamp)) return 'transaction/timestamp';
  if (!str(t.customer_id)) return 'transaction/customer_id';
  if (!str(t.terminal_id)) return 'transaction/terminal_id';
  if (!num(t.amount)) return 'transaction/amount';
  if (!num(e.score)) return 'score';
  if (typeof e.decision !== 'string' || !DECISIONS.has(e.decision)) return 'decision';
  if (!Array.isArray(e.reasons)) return 'reasons';
  if (!isObj(e.features)) return 'features';
  if (!str(e.model_version)) return 'model_version';
  if (typeof e.degraded !== 'boolean') return 'degraded';
  if (!str(e.scored_at)) return 'scored_at';
  if (!str(e.runtime)) return 'runtime';
  if (!num(e.latency_ms)) return 'latency_ms';
  // The challenger's opinion (issue 18), when one scored it: GET /api/models/compare reads it.
  const ch = e.challenger;
  if (ch !== undefined && ch !== null) {
    if (!isObj(ch) || !str(ch.model_version)) return 'challenger/model_version';
    if (!num(ch.score)) return 'challenger/score';
    if (typeof ch.decision !== 'string' || !DECISIONS.has(ch.decision))
      return 'challenger/decision';
  }
  return null;
}

function feedbackProblem(e: Obj): string | null {
  if (!str(e.transaction_id)) return 'transaction_id';
  if (!str(e.label)) return 'label';
  if (!str(e.timestamp)) return 'timestamp';
  if (!str(e.source)) return 'source';
  return null;
}

/** Parse and structurally check one consumed message's value. */
export function checkConsumedEvent(text: string | null): Checked {
  let e: unknown;
  try {
    e = JSON.parse(text ?? '');
  } catch {
    return { ok: false, problem: 'not JSON' };
  }
  if (!isObj(e)) return { ok: false, problem: 'not a JSON object' };
  if (e.schema_version !== EVENT_SCHEMA_VERSION) return { ok: false, problem: 'schema_version' };
  if (!str(e.event_id)) return { ok: false, problem: 'event_id' };
  const problem =
    e.type === 'decision'
      ? decisionProblem(e)
      : e.type === 'feedback'
        ? feedbackProblem(e)
        : 'type';
  if (problem !== null) return { ok: false, problem };
  return { ok: true, value: e as unknown as VigilEvent };
}
