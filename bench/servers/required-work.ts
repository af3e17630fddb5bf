/**
 * A second baseline for the Node edge benchmark: the Hono floor plus only the work issue 3
 * requires of every scored transaction, and nothing of the edge's own — core's validation, the
 * in-memory store's step, core's features, onnxruntime-web (micro-batched, as the edge runs it),
 * core's reasons and decision, the answer's JSON and its save for replays. No API keys, metrics,
 * security headers, Server-Timing, store deadline, degraded paths or events.
 *
 * It answers one question with a number measured in the same run: how close to the floor can
 * anything that does the required work get on this runtime? The edge's own cost is then the gap
 * between this server and the edge. It is a bench fixture, not a second scoring path: every step
 * is a call into core or the edge's own modules.
 */
import { serve } from '@hono/node-server';
import {
  computeFeatures,
  decide,
  epochSeconds,
  N_FEATURES,
  topReasons,
  validateTransaction,
  type StoreTransaction,
  type Transaction,
  serialiseAnswer,
} from '@vigil/core';
import { Hono } from 'hono';
import { readModelFiles } from '../../edge/src/runtime/node/read-model-files.js';
import { validateScoreBatch } from '../../edge/src/app/schemas.js';
import { loadServedModel } from '../../edge/src/scoring/served-model.js';
import { createMemoryFeatureStore } from '../../edge/src/stores/memory-feature-store.js';

const { scorer, model } = await loadServedModel(await readModelFiles(), { microBatch: true });
const store = createMemoryFeatureStore();
const scratch = new Float64Array(N_FEATURES);
const event = { timeSec: 0, amount: 0 };

/** Answers in order: fresh ones scored, a repeated id its saved answer (the warm-up repeats). */
async function score(txs: readonly Transaction[]): Promise<string[]> {
  const storeTxs: StoreTransaction[] = txs.map((tx) => ({
    transactionId: tx.transaction_id,
    customerId: tx.customer_id,
    terminalId: tx.terminal_id,
    timeSec: epochSeconds(tx.timestamp),
    amount: tx.amount,
  }));
  const outcomes = await store.step(storeTxs);
  const x = new Float32Array(txs.length * N_FEATURES);
  const out = new Float32Array(txs.length);
  const answers = new Array<string>(txs.length);
  const rowOf = new Int32Array(txs.length);
  let rows = 0;
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i]!;
    if (o.kind === 'replay') {
      answers[i] = o.answer;
      rowOf[i] = -1;
      continue;
    }
    // The benchmark's measured runs never repeat an id: anything else is a broken run.
    if (o.kind !== 'fresh')
      throw new Error(`required-work: ${o.kind} for ${txs[i]!.transaction_id}`);
    event.timeSec = storeTxs[i]!.timeSec;
    event.amount = storeTxs[i]!.amount;
    rowOf[i] = rows;
    computeFeatures(o.customer, o.terminal, event, x, rows++ * N_FEATURES);
  }
  await scorer.score(x, rows, out);
  const saves: { transactionId: string; answer: string }[] = [];
  for (let i = 0; i < txs.length; i++) {
    const k = rowOf[i]!;
    if (k < 0) continue;
    const reasons = topReasons(model.ensemble, x, 3, scratch, k * N_FEATURES).map((r) => ({
      code: r.code,
      feature: r.feature,
      contribution: r.contribution,
      message: r.message,
    }));
    const body = serialiseAnswer({
      transaction_id: txs[i]!.transaction_id,
      score: out[k]!,
      decision: decide(out[k]!, model.metadata.thresholds),
      reasons,
      rules: [],
      model_version: scorer.version,
      degraded: false,
      replayed: false,
    });
    answers[i] = body;
    saves.push({ transactionId: txs[i]!.transaction_id, answer: body });
  }
  void store.saveAnswers(saves);
  return answers;
}

const app = new Hono();
app.post('/v1/score', async (c) => {
  const v = validateTransaction(await c.req.json());
  if (!v.ok) return c.json({ issues: v.issues }, 400);
  const [answer] = await score([v.value]);
  return c.body(answer!, 200, { 'content-type': 'application/json' });
});
app.post('/v1/score/batch', async (c) => {
  const v = validateScoreBatch(await c.req.json());
  if (!v.ok) return c.json({ issues: v.issues }, 400);
  const answers = await score(v.value);
  return c.body(`{"results":[${answers.join(',')}]}`, 200, { 'content-type': 'application/json' });
});
app.get('/v1/health', (c) => c.json({ ok: true }));

const port = Number(process.env.PORT ?? 8798);
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () =>
  process.stdout.write(`listening ${port}\n`),
);
