import { validateTransaction, type Transaction } from '@vigil/core';
import { Hono, type Context } from 'hono';
import type { ScoreTiming } from '../../scoring/scoring-service.js';
import { limitBody, scoreCallOf, type AppContext, type EdgeEnv } from '../app-context.js';
import { ProblemError, validationProblem } from '../problem.js';
import { readJsonBody } from '../read-json.js';
import { validateScoreBatch } from '../schemas.js';

const ms = (v: number) => v.toFixed(3);

function serverTiming(t: ScoreTiming, totalMs: number): string {
  return `features;dur=${ms(t.featuresMs)}, model;dur=${ms(t.modelMs)}, total;dur=${ms(totalMs)}`;
}

/** 409: a concurrent request is scoring these transactions; retrying soon replays its answer. */
function pendingProblem(txs: readonly Transaction[], indexes: number[], batch: boolean): never {
  const ids = indexes.map((i) => txs[i]!.transaction_id);
  throw new ProblemError(
    'in-progress',
    `transaction ${ids.join(', ')} is being scored by a concurrent request: retry in a second ` +
      'to get its answer' +
      (batch ? ' (the other items of this batch are scored and saved)' : ''),
    {
      errors: indexes.map((i) => ({
        path: batch ? `/transactions/${i}/transaction_id` : '/transaction_id',
        message: `${txs[i]!.transaction_id} is being scored by a concurrent request`,
      })),
      headers: { 'retry-after': '1' },
    },
  );
}

/**
 * 422: these transaction ids were first used with another payload (customer, terminal, time or
 * amount). Which fields differ is not said: that would tell a caller about another payment.
 */
function conflictProblem(txs: readonly Transaction[], indexes: number[], batch: boolean): never {
  const ids = indexes.map((i) => txs[i]!.transaction_id);
  const one = ids.length === 1;
  const shown =
    ids.length > 3 ? `${ids.slice(0, 3).join(', ')} and ${ids.length - 3} more` : ids.join(', ');
  throw new ProblemError(
    'transaction-id-reused',
    `transaction_id${one ? '' : 's'} ${shown} ${one ? 'was' : 'were'} already used for a ` +
      'transaction with a different ' +
      'customer_id, terminal_id, timestamp or amount: a new transaction needs a new id ' +
      '(the first answer is replayed only for the same payload)' +
      (batch ? '; nothing in this batch was scored' : ''),
    {
      errors: indexes.map((i) => ({
        path: batch ? `/transactions/${i}/transaction_id` : '/transaction_id',
        message:
          `${txs[i]!.transaction_id} was already used with a different customer_id, ` +
          'terminal_id, timestamp or amount',
      })),
    },
  );
}

/** The scoring routes' paths: they answer through `scoreResponse`. */
export const SCORE_PATHS: ReadonlySet<string> = new Set(['/v1/score', '/v1/score/batch']);

/**
 * A 200 with the security headers, built in one go from a plain header record: on Node that stays
 * @hono/node-server's cached response, written straight to the socket (security-headers.ts).
 */
function scoreResponse(
  c: Context<EdgeEnv>,
  ctx: AppContext,
  body: string,
  timing: string,
): Response {
  c.set('secured', true);
  return new Response(body, {
    status: 200,
    headers: {
      ...ctx.securityHeaders,
      'content-type': 'application/json',
      'server-timing': timing,
    },
  });
}

/** POST /v1/score and /v1/score/batch. */
export function scoreRoutes(ctx: AppContext): Hono<EdgeEnv> {
  const r = new Hono<EdgeEnv>();

  r.post('/score', limitBody(ctx.limits.single), async (c) => {
    const v = validateTransaction(await readJsonBody(c, ctx.bodyTimeoutMs));
    if (!v.ok) throw validationProblem(v.issues);
    const result = await ctx.scoring.score([v.value], scoreCallOf(c, ctx.runtime));
    if (result.kind === 'pending') pendingProblem([v.value], result.indexes, false);
    if (result.kind === 'conflict') conflictProblem([v.value], result.indexes, false);
    const total = performance.now() - c.get('t0');
    ctx.metrics.scoreSeconds.observe(total / 1000);
    return scoreResponse(c, ctx, result.answers[0]!, serverTiming(result.timing, total));
  });

  r.post('/score/batch', limitBody(ctx.limits.batch), async (c) => {
    const v = validateScoreBatch(await readJsonBody(c, ctx.bodyTimeoutMs));
    if (!v.ok) throw validationProblem(v.issues);
    const result = await ctx.scoring.score(v.value, scoreCallOf(c, ctx.runtime));
    if (result.kind === 'pending') pendingProblem(v.value, result.indexes, true);
    if (result.kind === 'conflict') conflictProblem(v.value, result.indexes, true);
    const total = performance.now() - c.get('t0');
    // The answers are JSON already: join them rather than parse and re-serialise.
    return scoreResponse(
      c,
      ctx,
      `{"results":[${result.answers.join(',')}]}`,
      serverTiming(result.timing, total),
    );
  });

  return r;
}
