/**
 * Sends simulated checkout traffic to the edge: every 100 ms, rate / 10 transactions in one
 * POST /v1/score/batch (fractions carry over, so 1/s works). One batch is in flight at a time; a
 * slow edge makes the sender fall behind, never pile up requests (the backlog is capped at one
 * second of traffic).
 */
import {
  MAX_SCORE_BATCH,
  SCORE_BATCH_PATH,
  scoreBatchResponseSchema,
  type Decision,
  type ScoreAnswer,
  type TrafficState,
} from '@vigil/core';
import type { Logger } from 'pino';
import * as z from 'zod/mini';
import type { EdgeClient } from '../edge-client.js';
import type { SimTransaction, TrafficGenerator } from '@vigil/sim';

export const TICK_MS = 100;
export type BatchOutcome =
  | { readonly ok: true; readonly results: readonly ScoreAnswer[] }
  | { readonly ok: false; readonly status: number | null; readonly detail: string };

export interface TrafficSenderOptions {
  readonly generator: TrafficGenerator;
  readonly edge: EdgeClient | null;
  readonly log: Logger;
  readonly tickMs?: number;
}

/** The stream's timer, counters and the one batch in flight. */
export class TrafficSender {
  private running = false;
  private rate = 0;
  private sent = 0;
  private errors = 0;
  private due = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private inflight: Promise<void> | null = null;
  private lastErrorLog = 0;

  constructor(private readonly opts: TrafficSenderOptions) {}

  state(): TrafficState {
    return { running: this.running, rate: this.rate, sent: this.sent, errors: this.errors };
  }

  /** Start (or change the rate of) the stream, or stop it. */
  set(running: boolean, rate: number): TrafficState {
    this.rate = rate;
    if (running && !this.running) {
      this.due = 0;
      const tick = this.opts.tickMs ?? TICK_MS;
      this.timer = setInterval(() => this.tick(tick), tick);
      this.timer.unref();
    } else if (!running && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    this.running = running;
    return this.state();
  }

  /** Stop and wait for the batch in flight. */
  async close(): Promise<void> {
    this.set(false, this.rate);
    await this.inflight;
  }

  private tick(tickMs: number): void {
    this.due = Math.min(this.due + (this.rate * tickMs) / 1000, Math.max(this.rate, 1));
    if (this.inflight !== null) return;
    const n = Math.min(Math.floor(this.due), MAX_SCORE_BATCH);
    if (n === 0) return;
    this.due -= n;
    const txs = this.opts.generator.batch(Date.now(), n);
    this.inflight = this.score(txs)
      .then(() => undefined)
      .finally(() => {
        this.inflight = null;
      });
  }

  /** Score transactions at the edge, in order, counting them as sent or failed. */
  async score(txs: readonly SimTransaction[]): Promise<BatchOutcome> {
    const out = await this.scoreOnce(txs);
    if (out.ok) {
      this.sent += out.results.length;
    } else {
      this.errors += txs.length;
      const now = Date.now();
      if (now - this.lastErrorLog > 10_000) {
        this.lastErrorLog = now;
        this.opts.log.warn(
          { status: out.status, detail: out.detail },
          'traffic: edge batch failed',
        );
      }
    }
    return out;
  }

  private async scoreOnce(txs: readonly SimTransaction[]): Promise<BatchOutcome> {
    const edge = this.opts.edge;
    if (edge === null) return { ok: false, status: null, detail: 'no edge is configured' };
    const r = await edge.post(SCORE_BATCH_PATH, { transactions: txs }, { timeoutMs: 10_000 });
    if (!r.ok) return { ok: false, status: r.status, detail: r.detail };
    const v = z.safeParse(scoreBatchResponseSchema, r.body);
    if (!v.success || v.data.results.length !== txs.length) {
      return { ok: false, status: r.status, detail: 'the edge answered with an unexpected body' };
    }
    return { ok: true, results: v.data.results };
  }
}

/** review and decline are what an analyst sees: "flagged". */
export const isFlagged = (d: Decision | null) => d === 'review' || d === 'decline';
