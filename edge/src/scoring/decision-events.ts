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
  decide,
  type Thresholds,
  type Transaction,
} from '@vigil/core';
import type { ChallengerScorer } from './challenger-scorer.js';
import type { ItemPlan } from './item-plan.js';
import type { ServedEntry } from './served-models.js';

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
  /**
   * The challenger leased with the champion, the thresholds it decides with, and where it is
   * scored (a worker thread on Node; the isolate itself on Workers).
   */
  readonly challenger?: {
    readonly entry: ServedEntry;
    readonly thresholds: Thresholds;
    readonly scorer: ChallengerScorer;
  };
}

/** The challenger's scores of a call's rows (row k at k), with its version and thresholds. */
export interface ChallengerScores {
  readonly version: string;
  readonly scores: Float32Array;
  readonly thresholds: Thresholds;
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
export function decisionEvents(d: Decided, challenger?: ChallengerScores): DecisionEventV1[] {
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
      ...(challenger ? { challenger: challengerOf(challenger, k) } : {}),
    });
  }
  return events;
}

function challengerOf(c: ChallengerScores, row: number): DecisionEventV1['challenger'] {
  const score = c.scores[row]!;
  return { model_version: c.version, score, decision: decide(score, c.thresholds) };
}

/** What emitLater reports: the sink's and the challenger's failures, and the end of its work. */
export interface EmitHooks {
  sinkFailed(error: unknown): void;
  challengerFailed(error: unknown): void;
  /** Called once, when the events are emitted (the models' lease ends then). */
  done(): void;
}

/**
 * Build and emit the decision events in a macrotask: after the response is on its way. With a
 * challenger, it first has the same rows the champion saw scored (on Node in a worker thread, fed
 * in batches; on Workers in the isolate, under waitUntil), and its verdicts ride on the events; if
 * it is skipped or fails, the events go without them — never lost, never late by more than the
 * challenger scorer's bound.
 */
export function emitLater(sink: EventSink, d: Decided, call: EmitOptions, hooks: EmitHooks): void {
  const work = new Promise((resolve) => setTimeout(resolve, 0))
    .then(() =>
      challengerScores(d).catch((error: unknown) => {
        hooks.challengerFailed(error);
        return undefined;
      }),
    )
    .then((challenger) => {
      try {
        sink.emit(decisionEvents(d, challenger), call);
      } catch (error) {
        hooks.sinkFailed(error);
      }
    })
    .finally(() => hooks.done());
  call.background?.(work);
}

async function challengerScores(d: Decided): Promise<ChallengerScores | undefined> {
  const c = d.challenger;
  if (!c) return undefined;
  const scores = await c.scorer.score(c.entry, d.x, d.x.length / N_FEATURES);
  if (!scores) return undefined;
  return { version: c.entry.metadata.version, scores, thresholds: c.thresholds };
}
