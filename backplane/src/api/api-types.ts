/**
 * Answers of the analysts' API that core's analyst-api.ts does not define yet (they extend its
 * types; docs/api.md describes them). Candidates to move to core for the dashboard.
 */
import type { Case, Decision, ScoreAnswer, TrafficScenario } from '@vigil/core';
import type { SimTransaction } from '@vigil/sim';

/** POST /api/cases/{case_id}/resolve. */
export type ResolveCaseResponse = Case & {
  /** The feedback event sent to Kafka (null on a repeat whose verdict is not in Postgres yet). */
  readonly feedback_event_id: string | null;
  /** The edge accepted the verdict (its POST /v1/feedback answered 2xx). */
  readonly edge_forwarded: boolean;
  /** Why not, when edge_forwarded is false. */
  readonly edge_detail: string | null;
  /** The case was already resolved this way: nothing changed. */
  readonly replayed: boolean;
};

/** A transaction the traffic simulator sent, with the edge's answer. */
export interface SimulatedOutcome {
  readonly transaction_id: string;
  readonly timestamp: string;
  readonly customer_id: string;
  readonly terminal_id: string;
  readonly amount: number;
  /** The simulator's ground truth. */
  readonly is_fraud: boolean;
  /** 'history' transactions set the scene (back-dated); 'burst' ones are the attack. */
  readonly role: 'history' | 'burst';
  readonly score: number | null;
  readonly decision: Decision | null;
}

/** POST /api/traffic/inject. */
export interface InjectResponse {
  readonly scenario: TrafficScenario;
  readonly description: string;
  readonly transactions: readonly SimulatedOutcome[];
  /** Fraudulent burst transactions / those the edge answered review or decline. */
  readonly frauds: number;
  readonly flagged: number;
  /** Fraud labels sent to the edge (scenario 2's compromised terminal history). */
  readonly labelled: number;
}

/**
 * POST /api/traffic/one: the edge's answer to POST /v1/score as it sent it (its fields at the top
 * level), plus what was sent and whether the simulator meant it as fraud.
 */
export interface TrafficOneResponse extends ScoreAnswer {
  /** What was sent to POST /v1/score. */
  readonly transaction: SimTransaction;
  /** The simulator's ground truth (a genuine draw above 220 is scenario-1 fraud too). */
  readonly is_fraud: boolean;
}
