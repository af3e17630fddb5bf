/**
 * Hands analysts' verdicts to the edge's POST /v1/feedback until the edge has them, from Postgres:
 * the API tries each once right after the resolution commits (`tryNow`), and a background sweep
 * retries every verdict still pending when its backoff is due — in this process or, after a
 * restart, in the next one, since the state lives in `verdict_deliveries`, not in memory. Whether
 * the edge remembers transactions across its own restarts or not, a verdict ends `applied` or
 * `failed` with the edge's reason, never dropped.
 */
import { FEEDBACK_PATH, type VerdictDeliveryState } from '@vigil/core';
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { EdgeClient, EdgePostOptions } from '../edge-client.js';
import { nextDelivery, type NextDelivery, type VerdictRetryPolicy } from './delivery-policy.js';
import { claimDue, countBacklog, recordTry, type DueVerdict } from './delivery-store.js';

/** Hooks into the backplane's metrics. */
export interface VerdictDeliveryObserver {
  /** One try ended in `state`. */
  tried(state: VerdictDeliveryState): void;
  /** Verdicts not applied, read after each sweep. */
  backlog(counts: { readonly pending: number; readonly failed: number }): void;
}

export interface VerdictDelivererDeps {
  readonly sql: Sql;
  readonly edge: EdgeClient;
  readonly log: Logger;
  readonly now: () => Date;
  readonly policy: VerdictRetryPolicy;
  readonly observer?: VerdictDeliveryObserver;
  /** A sweep changed this case's delivery (to tell dashboards); errors are logged. */
  readonly changed?: (caseId: string) => Promise<void>;
}

export class VerdictDeliverer {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly deps: VerdictDelivererDeps) {}

  /** Until when a verdict claimed now is this process's to try. */
  leaseUntil(): Date {
    return new Date(this.deps.now().getTime() + this.deps.policy.leaseMs);
  }

  /**
   * Try `v` once now and record the outcome. Never throws: if the outcome cannot be recorded
   * (the database just went away), the verdict stays pending and a sweep tries it after its lease.
   */
  async tryNow(v: DueVerdict, options: EdgePostOptions = {}): Promise<NextDelivery> {
    const { edge, policy, log } = this.deps;
    const reply = await edge.post(
      FEEDBACK_PATH,
      { transaction_id: v.transaction_id, label: v.label, timestamp: v.timestamp },
      { timeoutMs: policy.timeoutMs, ...options },
    );
    const next = nextDelivery(reply, v, this.deps.now(), policy);
    this.deps.observer?.tried(next.state);
    if (next.state !== 'applied') {
      log.warn(
        {
          case_id: v.case_id,
          transaction_id: v.transaction_id,
          status: next.last_status,
          state: next.state,
          detail: next.detail,
        },
        'verdict not applied at the edge',
      );
    }
    try {
      await recordTry(this.deps.sql, v.case_id, next, this.deps.now());
    } catch (err) {
      log.warn(
        { err, case_id: v.case_id },
        'verdict delivery: outcome not recorded (retried after the lease)',
      );
    }
    return next;
  }

  /** Try every due pending verdict (up to the policy's batch) once; how many were tried. */
  async sweep(): Promise<number> {
    const { sql, policy } = this.deps;
    const due = await claimDue(sql, this.deps.now(), this.leaseUntil(), policy.batch);
    await Promise.all(
      due.map(async (v) => {
        await this.tryNow(v);
        try {
          await this.deps.changed?.(v.case_id);
        } catch (err) {
          this.deps.log.warn({ err, case_id: v.case_id }, 'verdict delivery: live update failed');
        }
      }),
    );
    if (this.deps.observer) this.deps.observer.backlog(await countBacklog(sql));
    return due.length;
  }

  /** Sweep every policy.sweepMs in the background (a full batch sweeps again at once). */
  start(): void {
    if (this.deps.policy.sweepMs <= 0 || this.closed || this.timer) return;
    const tick = () => {
      this.timer = null;
      this.running = this.sweep().then(
        (n) => this.schedule(tick, n >= this.deps.policy.batch ? 0 : this.deps.policy.sweepMs),
        (err: unknown) => {
          // The database or the edge is down: the verdicts wait in Postgres; try again later.
          this.deps.log.warn({ err }, 'verdict delivery: sweep failed');
          this.schedule(tick, this.deps.policy.sweepMs);
        },
      );
    };
    this.schedule(tick, 0);
  }

  private schedule(tick: () => void, ms: number): void {
    if (this.closed) return;
    this.timer = setTimeout(tick, ms);
    this.timer.unref?.();
  }

  /** Stop sweeping and wait for the sweep in hand (its claims end with their lease if cut short). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running.catch(() => undefined);
  }
}
