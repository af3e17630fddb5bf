import {
  FEEDBACK_BATCH_PATH,
  MAX_SCORE_BATCH,
  SCORE_BATCH_PATH,
  scoreBatchResponseSchema,
} from '@vigil/core';
import * as z from 'zod/mini';
import { formatTimestamp, toRecord, type SimulatedDataset } from '@vigil/sim';
import { eventTimeOrder } from './backtest.js';

const DAY = 86_400;

export interface LiveReplayOptions {
  readonly url: string;
  readonly apiKey: string;
  readonly labelDelayDays?: number;
  readonly fetch?: typeof fetch;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface LiveReplayResult {
  /** Score per input row. */
  readonly scoreOf: Float32Array;
  readonly degraded: number;
  readonly requests: number;
  readonly feedback: number;
  /** Labels the API answered 404 for (transactions it did not record). */
  readonly unknownLabels: number;
}

const NOT_FOUND = Symbol('404');

/**
 * Stream a transaction file through the live API in event-time order, sending each fraud's label
 * `labelDelayDays` after its transaction — the same schedule as the offline replay, so the scores
 * must match `npm run backtest`. Transactions go in batches that stop wherever a label falls due.
 */
export async function liveReplay(
  ds: SimulatedDataset & { readonly transactionIds?: readonly string[] },
  opts: LiveReplayOptions,
): Promise<LiveReplayResult> {
  const doFetch = opts.fetch ?? fetch;
  const delay = (opts.labelDelayDays ?? 7) * DAY;
  const base = opts.url.replace(/\/+$/, '');
  const headers = { authorization: `Bearer ${opts.apiKey}`, 'content-type': 'application/json' };
  const order = eventTimeOrder(ds.timeSec);
  const scoreOf = new Float32Array(ds.length);
  const pending: number[] = []; // frauds waiting for their label, in event-time order
  let head = 0;
  let degraded = 0;
  let requests = 0;
  let feedback = 0;

  let unknownLabels = 0;
  const post = async (path: string, body: unknown, allow404 = false): Promise<unknown> => {
    requests++;
    const res = await doFetch(`${base}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (allow404 && res.status === 404) return NOT_FOUND;
    if (!res.ok) throw new Error(`POST ${path} → ${res.status}: ${text.slice(0, 500)}`);
    return text ? (JSON.parse(text) as unknown) : null;
  };
  const idOf = (row: number) => ds.transactionIds?.[row] ?? `tx_${row}`;

  let k = 0;
  while (k < order.length) {
    const t = ds.timeSec[order[k]!]!;
    // Labels due by now go first.
    const due: number[] = [];
    while (head < pending.length && ds.timeSec[pending[head]!]! + delay <= t)
      due.push(pending[head++]!);
    for (let i = 0; i < due.length; i += MAX_SCORE_BATCH) {
      const items = due.slice(i, i + MAX_SCORE_BATCH).map((row) => ({
        transaction_id: idOf(row),
        label: 'fraud',
        timestamp: formatTimestamp(ds.timeSec[row]! + delay),
      }));
      // A batch is all-or-nothing: if the API never recorded one of them (it was scored while the
      // feature store was down), send them one by one and count the unknown ones.
      if ((await post(FEEDBACK_BATCH_PATH, { feedback: items }, true)) === NOT_FOUND) {
        for (const item of items) {
          if ((await post('/v1/feedback', item, true)) === NOT_FOUND) unknownLabels++;
        }
      }
      feedback += items.length;
    }
    // Then transactions, up to the next label's due time.
    const nextDue = head < pending.length ? ds.timeSec[pending[head]!]! + delay : Infinity;
    const batch: number[] = [];
    while (k < order.length && batch.length < MAX_SCORE_BATCH) {
      const row = order[k]!;
      if (ds.timeSec[row]! >= nextDue) break;
      batch.push(row);
      k++;
    }
    const body = {
      transactions: batch.map((row) => {
        const { is_fraud: _f, fraud_scenario: _s, ...tx } = toRecord(ds, row);
        return { ...tx, transaction_id: idOf(row) };
      }),
    };
    const res = z.parse(scoreBatchResponseSchema, await post(SCORE_BATCH_PATH, body));
    if (res.results.length !== batch.length)
      throw new Error('score/batch answered a different number of results');
    res.results.forEach((r, i) => {
      scoreOf[batch[i]!] = r.score;
      if (r.degraded) degraded++;
    });
    for (const row of batch) if (ds.isFraud[row] === 1) pending.push(row);
    opts.onProgress?.(k, order.length);
  }
  return { scoreOf, degraded, requests, feedback, unknownLabels };
}
