/**
 * Scoring, independent of HTTP: one store round trip for the whole list, core's features, one
 * scorer call for all fresh rows, core's policy and reasons, then the answers saved for replay and
 * the decisions emitted. Degraded, never failed: a store that errors or misses the deadline yields
 * answers from fallback features, and a failing model falls back to core's tree walk.
 */
import {
  computeFeatures,
  decide,
  decisionEventId,
  epochSeconds,
  EVENT_SCHEMA_VERSION,
  featureDeadlineMs,
  featuresRecord,
  N_FEATURES,
  newCustomerState,
  newTerminalState,
  predictProbability,
  stepInPlace,
  topReasons,
  type CustomerState,
  type DecisionEventV1,
  type EventSink,
  type FeatureStore,
  type Scorer,
  type StepOutcome,
  type StoreTransaction,
  type TerminalState,
  type Thresholds,
  type Transaction,
  type TreeEnsemble,
  samePayload,
  replayAnswer,
  serialiseAnswer,
  type AnswerReason,
  type ScoreAnswer,
} from '@vigil/core';
import { RowBuffers } from './row-buffers.js';

/** Why an answer is degraded. */
export type DegradedCause = 'store_timeout' | 'store_error' | 'model_error';

/** What scoring reports as it goes: the app counts it in /metrics and logs the errors. */
export interface ScoringObserver {
  decided(decision: ScoreAnswer['decision'], degraded: boolean): void;
  replayed(): void;
  pending(): void;
  /** Once per transaction refused for reusing an id with another payload. */
  conflicted(): void;
  /** Once per request that answered degraded. */
  degraded(cause: DegradedCause, error: unknown): void;
  answerSaveFailed(error: unknown): void;
  sinkFailed(error: unknown): void;
}

export interface ScoringDeps {
  readonly store: FeatureStore;
  readonly scorer: Scorer;
  /** The served model's trees: reasons, and the fallback when the scorer fails. */
  readonly ensemble: TreeEnsemble;
  readonly thresholds: Thresholds;
  /**
   * Deadline of the store's step for one transaction (VIGIL_FEATURE_TIMEOUT_MS); a batch of n
   * gets core's `featureDeadlineMs` (the stores' own rule). Past it the answers are degraded.
   */
  readonly featureTimeoutMs: number;
  /**
   * Where decision events go. Absent when nothing downstream wants them (an edge without a
   * backplane): the events are then not built at all — a feature record and a timer per request
   * for nobody.
   */
  readonly sink?: EventSink;
  readonly observer: ScoringObserver;
  /** Carried by decision events. */
  readonly runtime: 'node' | 'workers';
  /** The largest batch; sizes the reusable row buffers. */
  readonly maxBatch: number;
}

/** Milliseconds spent getting features (store + engine) and in the model (scores + reasons). */
export interface ScoreTiming {
  readonly featuresMs: number;
  readonly modelMs: number;
}

export type ScoreResult =
  | { readonly kind: 'answered'; readonly answers: string[]; readonly timing: ScoreTiming }
  /** Transactions (indexes) seen before whose first answer is still being computed elsewhere. */
  | { readonly kind: 'pending'; readonly indexes: number[]; readonly timing: ScoreTiming }
  /**
   * Transactions (indexes) whose id was first used with another customer, terminal, time or
   * amount. Nothing of the call was scored, saved or emitted, and the store applied nothing. Unlike
   * `pending` — where the other items are scored and saved, since retrying the same request
   * succeeds and replays them — this request can never succeed as it is: like an invalid item,
   * it is refused whole, so the corrected request finds nothing of it half done.
   */
  | { readonly kind: 'conflict'; readonly indexes: number[]; readonly timing: ScoreTiming };

/** Per-call hooks the runtime provides. */
export interface ScoreCall {
  /** Keep work alive past the response (a Worker's waitUntil); default: let it run. */
  readonly background?: (work: Promise<unknown>) => void;
  /**
   * performance.now() when the request arrived: decision events carry the request's server time
   * up to its answers (`latency_ms`). Default: when `score` was called.
   */
  readonly startedAt?: number;
}

type Stepped =
  | { readonly ok: true; readonly outcomes: StepOutcome[] }
  | {
      readonly ok: false;
      readonly cause: 'store_timeout' | 'store_error';
      readonly error: unknown;
      /** A step still running past its deadline. */
      readonly late: Promise<StepOutcome[]> | null;
    };

const TIMED_OUT = Symbol('timed out');

/** Scores transactions; one per process or isolate, shared by all requests. */
export class ScoringService {
  private readonly buffers: RowBuffers;
  /** Reason scratch: topReasons is synchronous, so one buffer serves every request. */
  private readonly scratch = new Float64Array(N_FEATURES);
  /** Reused engine event: computeFeatures is synchronous too. */
  private readonly event = { timeSec: 0, amount: 0 };

  constructor(private readonly deps: ScoringDeps) {
    if (deps.ensemble.nFeatures !== N_FEATURES) {
      throw new Error(
        `scoring: the trees read ${deps.ensemble.nFeatures} features, not ${N_FEATURES}`,
      );
    }
    this.buffers = new RowBuffers(deps.maxBatch);
  }

  /** Score validated transactions in order; later ones see earlier ones. */
  async score(txs: readonly Transaction[], call: ScoreCall = {}): Promise<ScoreResult> {
    const t0 = performance.now();
    const storeTxs = txs.map(toStoreTransaction);
    const stepped = await this.stepWithin(storeTxs);
    const n = txs.length;
    const buf = this.buffers.acquire(n);
    try {
      // Per item: the row of a fresh item, REPLAY, PENDING, or duplicateOf(j) for a repeat (inside
      // this batch) of item j's transaction_id.
      const rowOf = new Int32Array(n);
      const answers = new Array<string>(n);
      let rows = 0;
      const pending: number[] = [];
      // A reused id refuses the whole call (the store applied nothing): allocated only then.
      let conflicts: number[] | undefined;
      let skipped = 0;
      if (stepped.ok) {
        for (let i = 0; i < n; i++) {
          const o = stepped.outcomes[i]!;
          if (o.kind === 'fresh') {
            this.features(o.customer, o.terminal, storeTxs[i]!, buf.x, rows);
            rowOf[i] = rows++;
          } else if (o.kind === 'replay') {
            answers[i] = serialiseAnswer(replayAnswer(o.answer));
            rowOf[i] = REPLAY;
            this.deps.observer.replayed();
          } else if (o.kind === 'pending') {
            rowOf[i] = PENDING;
            pending.push(i);
          } else if (o.kind === 'conflict') {
            (conflicts ??= []).push(i);
          } else {
            // `skipped`: another item conflicts, so the call is refused below.
            skipped++;
          }
        }
        if (skipped > 0 && !conflicts) {
          throw new Error(`feature store: ${skipped} items skipped, none in conflict`);
        }
      } else {
        // The store is out of reach, but an id repeated with another payload inside this batch
        // is refused as the store would have refused it (and a late step did: it checks first).
        const reused = n > 1 ? inBatchConflicts(storeTxs) : [];
        if (reused.length > 0) conflicts = reused;
        else {
          this.deps.observer.degraded(stepped.cause, stepped.error);
          rows = this.fallbackFeatures(storeTxs, buf.x, rowOf);
        }
      }
      const t1 = performance.now();
      if (conflicts) {
        for (let c = 0; c < conflicts.length; c++) this.deps.observer.conflicted();
        const timing = { featuresMs: t1 - t0, modelMs: 0 };
        return { kind: 'conflict', indexes: conflicts, timing };
      }

      let modelDegraded = false;
      if (rows > 0) {
        try {
          await this.deps.scorer.score(buf.x, rows, buf.out);
        } catch (error) {
          // The trees are at hand for the reasons: the same probabilities within 1e-5.
          for (let k = 0; k < rows; k++) {
            buf.out[k] = predictProbability(this.deps.ensemble, buf.x, k * N_FEATURES);
          }
          modelDegraded = true;
          this.deps.observer.degraded('model_error', error);
        }
      }
      const degraded = !stepped.ok || modelDegraded;
      const saves: { transactionId: string; answer: string }[] = [];
      const fresh: ScoreAnswer[] = [];
      for (let i = 0; i < n; i++) {
        const k = rowOf[i]!;
        if (k < 0) continue;
        const a = this.answer(txs[i]!.transaction_id, buf.x, buf.out, k, degraded);
        const body = serialiseAnswer(a);
        answers[i] = body;
        saves.push({ transactionId: a.transaction_id, answer: body });
        fresh.push(a);
        this.deps.observer.decided(a.decision, degraded);
      }
      const t2 = performance.now();
      const timing = { featuresMs: t1 - t0, modelMs: t2 - t1 };

      if (stepped.ok) this.save(saves, call);
      else if (stepped.late) this.saveWhenLate(stepped.late, storeTxs, rowOf, answers, call);
      if (fresh.length > 0 && this.deps.sink) {
        // Every event of a request carries the request's server time so far (a batch's events
        // all carry the batch's), which is its Server-Timing `total` less writing the response.
        // The events are built after the answer has gone (a feature record costs more than a
        // tree walk), from a copy of the rows: the buffers return to the pool below.
        const decided: Decided = {
          txs,
          rowOf,
          fresh,
          x: buf.x.slice(0, rows * N_FEATURES),
          // Microseconds are the clock's honest resolution (workerd's is 1 ms); the rest is noise.
          latencyMs: Math.round((t2 - (call.startedAt ?? t0)) * 1000) / 1000,
          scoredAt: new Date().toISOString(),
        };
        this.emitLater(decided, call);
      }

      const stillPending = this.resolveDuplicates(txs, pending, rowOf, answers);
      if (stillPending.length > 0) {
        for (let p = 0; p < stillPending.length; p++) this.deps.observer.pending();
        return { kind: 'pending', indexes: stillPending, timing };
      }
      for (let i = 0; i < n; i++) {
        const j = duplicated(rowOf[i]!);
        if (j >= 0) answers[i] = serialiseAnswer(replayAnswer(answers[j]!));
      }
      return { kind: 'answered', answers, timing };
    } finally {
      this.buffers.release(buf);
    }
  }

  /** The store's step, within the deadline. Never throws: failure is a degraded answer. */
  private async stepWithin(txs: StoreTransaction[]): Promise<Stepped> {
    let step: Promise<StepOutcome[]>;
    try {
      step = this.deps.store.step(txs);
    } catch (error) {
      return { ok: false, cause: 'store_error', error, late: null };
    }
    // Scaled with the batch: a flat limit would degrade every large batch on Redis, whose
    // script works ~0.1 ms a transaction (issue 13).
    const limitMs = featureDeadlineMs(this.deps.featureTimeoutMs, txs.length);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), limitMs);
    });
    try {
      const r = await Promise.race([step, deadline]);
      if (r === TIMED_OUT) {
        const error = new Error(`feature store: no answer within ${limitMs} ms`);
        return { ok: false, cause: 'store_timeout', error, late: step };
      }
      if (!Array.isArray(r) || r.length !== txs.length) {
        const error = new Error(`feature store: ${String(r?.length)} outcomes for ${txs.length}`);
        return { ok: false, cause: 'store_error', error, late: null };
      }
      return { ok: true, outcomes: r };
    } catch (error) {
      return { ok: false, cause: 'store_error', error, late: null };
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  private features(
    customer: CustomerState,
    terminal: TerminalState,
    tx: StoreTransaction,
    x: Float32Array,
    row: number,
  ): void {
    this.event.timeSec = tx.timeSec;
    this.event.amount = tx.amount;
    computeFeatures(customer, terminal, this.event, x, row * N_FEATURES);
  }

  /**
   * Features when the store is unavailable: every customer and terminal starts from core's empty
   * state ("nothing known"), the same features a first-ever transaction gets, which is the
   * least-surprising input for the trees (they were trained on such rows) and biases no decision
   * towards decline. Inside one batch the fallback states are folded in order, so later items
   * still see earlier ones. In-batch duplicates of an id (with the same payload: the caller
   * refuses others first) are answered as replays of the first. Reuse of an id scored by an
   * earlier request cannot be seen here: the store holds those records.
   */
  private fallbackFeatures(txs: StoreTransaction[], x: Float32Array, rowOf: Int32Array): number {
    const customers = new Map<string, CustomerState>();
    const terminals = new Map<string, TerminalState>();
    const first = new Map<string, number>();
    let rows = 0;
    for (let i = 0; i < txs.length; i++) {
      const tx = txs[i]!;
      const j = first.get(tx.transactionId);
      if (j !== undefined) {
        rowOf[i] = duplicateOf(j);
        continue;
      }
      first.set(tx.transactionId, i);
      let c = customers.get(tx.customerId);
      if (!c) customers.set(tx.customerId, (c = newCustomerState()));
      let t = terminals.get(tx.terminalId);
      if (!t) terminals.set(tx.terminalId, (t = newTerminalState()));
      stepInPlace(c, t, tx, x, rows * N_FEATURES);
      rowOf[i] = rows++;
    }
    return rows;
  }

  private answer(
    transactionId: string,
    x: Float32Array,
    out: Float32Array,
    row: number,
    degraded: boolean,
  ): ScoreAnswer {
    const score = out[row]!;
    const reasons: AnswerReason[] = [];
    for (const r of topReasons(this.deps.ensemble, x, 3, this.scratch, row * N_FEATURES)) {
      reasons.push({ code: r.code, feature: r.feature, contribution: r.contribution });
    }
    return {
      transaction_id: transactionId,
      score,
      decision: decide(score, this.deps.thresholds),
      reasons,
      model_version: this.deps.scorer.version,
      degraded,
      replayed: false,
    };
  }

  /** Core's decision events for the fresh answers, with the feature rows the model saw. */
  private decisionEvents(d: Decided): DecisionEventV1[] {
    const { txs, rowOf, fresh, x, latencyMs, scoredAt } = d;
    const events: DecisionEventV1[] = [];
    for (let i = 0, f = 0; i < txs.length; i++) {
      const k = rowOf[i]!;
      if (k < 0) continue;
      const a = fresh[f++]!;
      const tx = txs[i]!;
      events.push({
        event_id: decisionEventId(tx.transaction_id),
        schema_version: EVENT_SCHEMA_VERSION,
        type: 'decision',
        transaction: tx,
        score: a.score,
        decision: a.decision,
        reasons: a.reasons,
        features: featuresRecord(x, k * N_FEATURES),
        model_version: a.model_version,
        degraded: a.degraded,
        scored_at: scoredAt,
        runtime: this.deps.runtime,
        latency_ms: latencyMs,
      });
    }
    return events;
  }

  /** Save answers off the latency path: a failure is counted, never the request's failure. */
  private save(saves: { transactionId: string; answer: string }[], call: ScoreCall): void {
    if (saves.length === 0) return;
    let work: Promise<void>;
    try {
      work = this.deps.store.saveAnswers(saves);
    } catch (error) {
      this.deps.observer.answerSaveFailed(error);
      return;
    }
    const guarded = work.catch((error: unknown) => this.deps.observer.answerSaveFailed(error));
    call.background?.(guarded);
  }

  /**
   * A step that missed its deadline may still have recorded the transactions. If it did, the
   * degraded answers just given are their first answers: save them, so that a retry replays them
   * instead of waiting forever on `pending`.
   */
  private saveWhenLate(
    late: Promise<StepOutcome[]>,
    txs: StoreTransaction[],
    rowOf: Int32Array,
    answers: string[],
    call: ScoreCall,
  ): void {
    const work = late.then(
      (outcomes) => {
        const saves: { transactionId: string; answer: string }[] = [];
        for (let i = 0; i < txs.length; i++) {
          if (rowOf[i]! >= 0 && outcomes[i]?.kind === 'fresh') {
            saves.push({ transactionId: txs[i]!.transactionId, answer: answers[i]! });
          }
        }
        this.save(saves, call);
      },
      // The request was answered degraded already; this failure was counted as its cause.
      () => undefined,
    );
    call.background?.(work);
  }

  /** Build and emit the decision events in a macrotask: after the response is on its way. */
  private emitLater(d: Decided, call: ScoreCall): void {
    const sink = this.deps.sink;
    if (!sink) return;
    const work = new Promise((resolve) => setTimeout(resolve, 0)).then(() => {
      try {
        sink.emit(this.decisionEvents(d), call);
      } catch (error) {
        this.deps.observer.sinkFailed(error);
      }
    });
    call.background?.(work);
  }

  /**
   * A `pending` item whose id appeared earlier in this same batch is a duplicate, not a concurrent
   * request: it gets the earlier item's answer as a replay. The rest stay pending.
   */
  private resolveDuplicates(
    txs: readonly Transaction[],
    pending: number[],
    rowOf: Int32Array,
    answers: string[],
  ): number[] {
    if (pending.length === 0) return pending;
    const first = new Map<string, number>();
    for (let i = 0; i < txs.length; i++) {
      if (!first.has(txs[i]!.transaction_id)) first.set(txs[i]!.transaction_id, i);
    }
    const still: number[] = [];
    for (const i of pending) {
      const j = first.get(txs[i]!.transaction_id)!;
      if (j < i && answers[j] !== undefined) rowOf[i] = duplicateOf(j);
      else still.push(i);
    }
    return still;
  }
}

/** What the decision events of one call are built from, once the answers have gone. */
interface Decided {
  readonly txs: readonly Transaction[];
  /** The row of each fresh item (≥ 0); its entries for fresh items never change afterwards. */
  readonly rowOf: Int32Array;
  /** The fresh answers, in item order. */
  readonly fresh: readonly ScoreAnswer[];
  /** A copy of the rows the model saw. */
  readonly x: Float32Array;
  readonly latencyMs: number;
  readonly scoredAt: string;
}

const REPLAY = -1;
const PENDING = -2;
/** rowOf code of a repeat of item j (≤ -3), and its inverse (-1 when not a repeat). */
const duplicateOf = (j: number) => -3 - j;
const duplicated = (code: number) => (code <= -3 ? -3 - code : -1);

/** Indexes of the items that repeat an earlier item's id with another payload. */
function inBatchConflicts(txs: readonly StoreTransaction[]): number[] {
  const first = new Map<string, StoreTransaction>();
  const out: number[] = [];
  for (let i = 0; i < txs.length; i++) {
    const tx = txs[i]!;
    const f = first.get(tx.transactionId);
    if (!f) first.set(tx.transactionId, tx);
    else if (!samePayload(f, tx)) out.push(i);
  }
  return out;
}

function toStoreTransaction(tx: Transaction): StoreTransaction {
  return {
    transactionId: tx.transaction_id,
    customerId: tx.customer_id,
    terminalId: tx.terminal_id,
    timeSec: epochSeconds(tx.timestamp),
    amount: tx.amount,
  };
}
