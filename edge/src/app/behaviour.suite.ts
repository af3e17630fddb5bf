/**
 * The edge's behaviour over real HTTP, as one suite that every runtime runs: the Node runtime in
 * runtime/node/node-edge.test.ts, the Worker under workerd (miniflare) in runtime/workers. It sees
 * only URLs and status codes, so it tests the same contract wherever the app runs.
 *
 * State is observed without peeking into the store: "twin worlds" (customers and terminals with
 * identical histories) are probed with identical transactions; equal answers mean equal states.
 * Each such test also shows its probe is sensitive (a world that did change answers differently),
 * so none of them could pass by accident.
 *
 * Ids carry a per-run prefix, so the suite can run against a persistent store (Redis) repeatedly.
 * Event times lie in one month (March 2024), well inside any store's retention.
 *
 * The tests live by topic beside this file (behaviour-*.suite.ts), helpers in behaviour-support.ts.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { batchesBehaviour } from './behaviour-batches.suite.js';
import { degradedBehaviour } from './behaviour-degraded.suite.js';
import { feedbackBehaviour } from './behaviour-feedback.suite.js';
import { idempotencyBehaviour } from './behaviour-idempotency.suite.js';
import { inputBehaviour } from './behaviour-input.suite.js';
import { propertiesBehaviour } from './behaviour-properties.suite.js';
import { scoringBehaviour } from './behaviour-scoring.suite.js';
import { surfaceBehaviour } from './behaviour-surface.suite.js';
import {
  Api,
  at,
  type BehaviourContext,
  type EdgeBehaviourOptions,
  type EdgeTarget,
} from './behaviour-support.js';

export type { EdgeBehaviourOptions, EdgeTarget, StoreFault } from './behaviour-support.js';

/** Run the edge behaviour suite against targets made by `makeTarget`. */
export function describeEdgeBehaviour(
  name: string,
  makeTarget: () => Promise<EdgeTarget>,
  options: EdgeBehaviourOptions = {},
): void {
  describe(`edge behaviour: ${name}`, () => {
    let target: EdgeTarget | undefined;
    const run = `r${Math.random().toString(36).slice(2, 10)}`;
    let seq = 0;
    const id = (tag: string) => `${run}_${tag}_${++seq}`;
    const ctx: BehaviourContext = {
      api: new Api(() => target!),
      target: () => target!,
      options,
      id,
      tx: (over) => ({
        transaction_id: id('tx'),
        timestamp: at(0, 10),
        amount: 42.5,
        currency: 'EUR',
        ...over,
      }),
      world: (tag) => ({ customer_id: id(`${tag}c`), terminal_id: id(`${tag}t`) }),
    };

    beforeAll(async () => {
      target = await makeTarget();
    });
    afterAll(async () => {
      await target?.close();
    });

    surfaceBehaviour(ctx);
    scoringBehaviour(ctx);
    idempotencyBehaviour(ctx);
    batchesBehaviour(ctx);
    feedbackBehaviour(ctx);
    inputBehaviour(ctx);
    propertiesBehaviour(ctx);
    degradedBehaviour(ctx);
  });
}
