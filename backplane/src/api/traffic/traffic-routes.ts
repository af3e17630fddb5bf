/**
 * The dashboard's traffic panel: GET/POST /traffic (the stream), POST /traffic/inject (a fraud
 * scenario as a burst), POST /traffic/one (one transaction and the edge's answer).
 */
import {
  MAX_TRAFFIC_RATE,
  SCORE_PATH,
  scoreAnswerSchema,
  type ScoreAnswer,
  type TrafficState,
} from '@vigil/core';
import { Hono } from 'hono';
import * as z from 'zod/mini';
import type { ApiEnv } from '../api-env.js';
import type { InjectResponse, SimulatedOutcome, TrafficOneResponse } from '../api-types.js';
import type { EdgeClient, EdgeReply } from '../edge-client.js';
import { ProblemError } from '../../http/problem.js';
import { noQuery, parseBody } from '../validate.js';
import type { TrafficGenerator } from '@vigil/sim';
import { oneTransaction, planScenario, S1_THRESHOLD, type Planned } from '@vigil/sim';
import { isFlagged, type BatchOutcome, type TrafficSender } from './traffic-sender.js';

/** The rate a stream starts at when POST /traffic gives none. */
export const DEFAULT_RATE = 50;

const setBody = z.strictObject(
  {
    running: z.boolean('running is required and must be true or false'),
    rate: z.optional(
      z
        .int('rate must be an integer (transactions per second)')
        .check(
          z.gte(1, 'rate must be ≥ 1'),
          z.lte(MAX_TRAFFIC_RATE, `rate must be ≤ ${MAX_TRAFFIC_RATE} transactions per second`),
        ),
    ),
  },
  'the body must be a JSON object',
);
const injectBody = z.strictObject(
  { scenario: z.union([z.literal(1), z.literal(2), z.literal(3)], 'scenario must be 1, 2 or 3') },
  'the body must be a JSON object',
);
const oneBody = z.strictObject(
  { kind: z.enum(['normal', 'fraud'], 'kind must be normal or fraud') },
  'the body must be a JSON object',
);

/** The edge's whole answer to POST /v1/score (fields it may add later pass through). */
/** The edge failed us: unreachable is a 503 to retry, anything else a 502 carrying its detail. */
function edgeProblem(what: string, r: { status: number | null; detail: string }): ProblemError {
  if (r.status === null) {
    return new ProblemError('unavailable', `${what}: ${r.detail}`, {
      headers: { 'retry-after': '5' },
    });
  }
  return new ProblemError('bad-gateway', `${what}: ${r.detail}`);
}

function needEdge(edge: EdgeClient | null): EdgeClient {
  if (edge === null) {
    throw new ProblemError(
      'unavailable',
      'no edge is configured (VIGIL_EDGE_URL): simulated traffic has nowhere to go',
    );
  }
  return edge;
}

function outcomes(
  planned: readonly Planned[],
  role: SimulatedOutcome['role'],
  answers: readonly ScoreAnswer[],
): SimulatedOutcome[] {
  return planned.map((p, i) => ({
    ...p.tx,
    is_fraud: p.isFraud,
    role,
    score: answers[i]?.score ?? null,
    decision: answers[i]?.decision ?? null,
  }));
}

export interface TrafficDeps {
  readonly sender: TrafficSender;
  readonly generator: TrafficGenerator;
  readonly edge: EdgeClient | null;
  readonly now: () => Date;
}

/** GET/POST /traffic, POST /traffic/inject and POST /traffic/one. */
export function trafficRoutes(d: TrafficDeps): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();

  r.get('/traffic', noQuery, (c) => c.json(d.sender.state()));

  r.post('/traffic', noQuery, async (c) => {
    const body = await parseBody(c, setBody);
    if (body.running) needEdge(d.edge);
    const rate = body.rate ?? (d.sender.state().rate || DEFAULT_RATE);
    const state: TrafficState = d.sender.set(body.running, rate);
    return c.json(state);
  });

  r.post('/traffic/inject', noQuery, async (c) => {
    const { scenario } = await parseBody(c, injectBody);
    const edge = needEdge(d.edge);
    const now = d.now();
    const plan = planScenario(d.generator, scenario, now.getTime());
    const scored = async (planned: readonly Planned[], what: string): Promise<ScoreAnswer[]> => {
      if (planned.length === 0) return [];
      const out: BatchOutcome = await d.sender.score(planned.map((p) => p.tx));
      if (!out.ok) throw edgeProblem(what, out);
      return [...out.results];
    };
    const history = await scored(plan.history, 'scoring the scenario history failed');
    if (plan.labels.length > 0) {
      const timestamp = now.toISOString();
      const feedback = plan.labels.map((id) => ({ transaction_id: id, label: 'fraud', timestamp }));
      const r: EdgeReply = await edge.post('/v1/feedback/batch', { feedback }, { attempts: 3 });
      if (!r.ok) throw edgeProblem('labelling the scenario history failed', r);
    }
    const burst = await scored(plan.burst, 'scoring the scenario burst failed');
    const frauds = plan.burst.filter((p) => p.isFraud);
    const response: InjectResponse = {
      scenario,
      description: plan.description,
      transactions: [
        ...outcomes(plan.history, 'history', history),
        ...outcomes(plan.burst, 'burst', burst),
      ],
      frauds: frauds.length,
      flagged: plan.burst.filter((p, i) => p.isFraud && isFlagged(burst[i]?.decision ?? null))
        .length,
      labelled: plan.labels.length,
    };
    return c.json(response);
  });

  r.post('/traffic/one', noQuery, async (c) => {
    const { kind } = await parseBody(c, oneBody);
    const edge = needEdge(d.edge);
    const planned = oneTransaction(d.generator, kind, d.now().getTime());
    const r = await edge.post(SCORE_PATH, planned.tx);
    if (!r.ok) throw edgeProblem('scoring failed', r);
    const v = z.safeParse(scoreAnswerSchema, r.body);
    if (!v.success) {
      throw edgeProblem('scoring failed', { status: r.status, detail: 'unexpected answer' });
    }
    const response: TrafficOneResponse = {
      ...v.data,
      transaction: planned.tx,
      // A genuine draw above the threshold is scenario-1 fraud in the handbook's terms.
      is_fraud: planned.isFraud || planned.tx.amount > S1_THRESHOLD,
    };
    return c.json(response);
  });

  return r;
}
