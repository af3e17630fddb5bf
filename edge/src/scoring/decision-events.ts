/**
 * Core's decision events for a call's fresh answers, built and emitted after the response is on
 * its way (a feature record costs more than a tree walk).
 */
import {
  decisionEventId,
  EVENT_SCHEMA_VERSION,
  featuresRecord,
  N_FEATURES,
  type DecisionEventV1,
  type EmitOptions,
  type EventSink,
  type ScoreAnswer,
  type Transaction,
} from '@vigil/core';
import type { ItemPlan } from './item-plan.js';

/** What the decision events of one call are built from, once the answers have gone. */
export interface Decided {
  readonly txs: readonly Transaction[];
  /** The row of each fresh item; rows never change once scored. */
  readonly plan: ItemPlan;
  /** The fresh answers, in item order. */
  readonly fresh: readonly ScoreAnswer[];
  /** The shadow rules each fresh answer's transaction matched, in the same order. */
  readonly shadow: readonly (readonly string[])[];
  /** The ruleset version the call decided with. */
  readonly rulesetVersion: number;
  /** A copy of the rows the model saw. */
  readonly x: Float32Array;
  readonly latencyMs: number;
  readonly scoredAt: string;
  readonly runtime: 'node' | 'workers';
}

/**
 * The answer's reasons as a decision event carries them: a feature's without its sentence (the
 * event schema is strict and unchanged; whoever shows the reason takes the sentence from core's
 * REASON_CODES by feature, as the analysts' API does), a rule's whole (its sentence names the rule).
 */
function eventReasons(reasons: ScoreAnswer['reasons']): DecisionEventV1['reasons'] {
  return reasons.map((r) =>
    'rule' in r ? r : { code: r.code, feature: r.feature, contribution: r.contribution },
  );
}

/** The decision events of the fresh answers, with the feature rows the model saw. */
export function decisionEvents(d: Decided): DecisionEventV1[] {
  const { txs, plan, fresh, x, latencyMs, scoredAt } = d;
  const events: DecisionEventV1[] = [];
  for (let i = 0, f = 0; i < txs.length; i++) {
    const k = plan.row(i);
    if (k < 0) continue;
    const shadowRules = d.shadow[f]!;
    const a = fresh[f++]!;
    const tx = txs[i]!;
    events.push({
      event_id: decisionEventId(tx.transaction_id),
      schema_version: EVENT_SCHEMA_VERSION,
      type: 'decision',
      transaction: tx,
      score: a.score,
      decision: a.decision,
      reasons: eventReasons(a.reasons),
      rules: a.rules,
      shadow_rules: shadowRules as string[],
      ruleset_version: d.rulesetVersion,
      features: featuresRecord(x, k * N_FEATURES),
      model_version: a.model_version,
      degraded: a.degraded,
      scored_at: scoredAt,
      runtime: d.runtime,
      latency_ms: latencyMs,
    });
  }
  return events;
}

/** Build and emit the decision events in a macrotask: after the response is on its way. */
export function emitLater(
  sink: EventSink,
  d: Decided,
  call: EmitOptions,
  failed: (error: unknown) => void,
): void {
  const work = new Promise((resolve) => setTimeout(resolve, 0)).then(() => {
    try {
      sink.emit(decisionEvents(d), call);
    } catch (error) {
      failed(error);
    }
  });
  call.background?.(work);
}
