/**
 * Scoring, independent of HTTP: one store round trip for the whole list, core's features, one
 * scorer call for all fresh rows, core's policy and reasons, then the answers saved for replay and
 * the decisions emitted. Degraded, never failed: a store that errors or misses the deadline yields
 * answers from fallback features, and a failing model falls back to core's tree walk.
 */
import {
  applyRules,
  compileRuleset,
  computeFeatures,
  ruleReason,
  type CompiledRuleset,
  decide,
  epochSeconds,
  N_FEATURES,
  predictProbability,
  topReasons,
  type CustomerState,
  type EventSink,
  type FeatureStore,
  type StoreTransaction,
  type TerminalState,
  type Thresholds,
  type Transaction,
  replayAnswer,
  serialiseAnswer,
  type AnswerReason,
  type ScoreAnswer,
} from '@vigil/core';
import { saveAnswers, saveWhenLate, type AnswerSave } from './answer-saves.js';
import { inlineChallenger, type ChallengerScorer } from './challenger-scorer.js';
import { emitLater, type Decided } from './decision-events.js';
import { fallbackFeatures, inBatchConflicts } from './fallback-features.js';
import { resolveDuplicates } from './in-batch-duplicates.js';
import { ItemPlan } from './item-plan.js';
import { thresholdsOf, type ModelSource, type ServedEntry } from './served-models.js';
import { RowBuffers } from './row-buffers.js';
import { stepWithin } from './store-step.js';

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
  /** Rules that failed at run time on one transaction (not matched; the answer stands). */
  rulesFailed(ids: readonly string[]): void;
  /** The challenger failed on a call's rows: its events go without `challenger`. */
  challengerFailed?(error: unknown): void;
}

/** Where the ruleset in force comes from (the RulesKeeper): read once per scoring call. */
export interface RulesSource {
  readonly current: CompiledRuleset;
  /**
   * The thresholds set for the served model through the backplane (synced with the rules), or
   * null/absent when none are: then the model's own (`ScoringDeps.thresholds`) decide.
   */
  readonly thresholds?: Thresholds | null;
  /** The same, with the model version they were set for: they apply to that model only. */
  readonly thresholdsFor?: { readonly version: string; readonly thresholds: Thresholds } | null;
  /**
   * The thresholds set for any model version the last sync named (a newly named champion's among
   * them), or null when none are: preferred over `thresholdsFor`, which knows only the version the
   * sync asked about — the model served before a promotion.
   */
  thresholdsOf?(version: string): Thresholds | null;
}

/** No rules (an edge without a backplane, or before its first sync). */
const NO_RULES = compileRuleset({ version: 0, rules: [] }, []);
if (!NO_RULES.ok) throw new Error('scoring: the empty ruleset does not compile');
export const EMPTY_RULES: RulesSource = { current: NO_RULES.compiled };

export interface ScoringDeps {
  readonly store: FeatureStore;
  /**
   * The champion (its scorer; its trees for reasons and for the fallback when the scorer fails;
   * its metadata's thresholds unless the rules source carries others) and the challenger, leased
   * once per call: a swap mid-call changes nothing of it.
   */
  readonly models: ModelSource;
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
  /** The fraud team's rules; default none. */
  readonly rules?: RulesSource;
  /**
   * Where the challenger scores a call's rows after the answer: default in this thread, after
   * the response (Workers); the Node edge hands it a worker thread (runtime/node/challenger-thread.ts).
   */
  readonly challenger?: ChallengerScorer;
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

/** Scores transactions; one per process or isolate, shared by all requests. */
export class ScoringService {
  private readonly buffers: RowBuffers;
  /** Reason scratch: topReasons is synchronous, so one buffer serves every request. */
  private readonly scratch = new Float64Array(N_FEATURES);
  /** Reused engine event: computeFeatures is synchronous too. */
  private readonly event = { timeSec: 0, amount: 0 };

  constructor(private readonly deps: ScoringDeps) {
    this.buffers = new RowBuffers(deps.maxBatch);
  }

  /** The thresholds decisions are made with now: the backplane's for this model, else its own. */
  get thresholdsInForce(): Thresholds {
    return this.thresholdsFor(this.deps.models.current.champion);
  }

  /** A model's thresholds: set through the backplane for its version, else its metadata's. */
  thresholdsFor(e: ServedEntry): Thresholds {
    const rules = this.deps.rules;
    if (rules?.thresholdsOf) return rules.thresholdsOf(e.metadata.version) ?? e.metadata.thresholds;
    // A rules source from before versions were recorded (tests): its thresholds are the champion's.
    const set =
      rules?.thresholdsFor !== undefined
        ? rules.thresholdsFor
        : rules?.thresholds
          ? { version: e.metadata.version, thresholds: rules.thresholds }
          : null;
    return thresholdsOf(e, set);
  }

  /** Score validated transactions in order; later ones see earlier ones. */
  async score(txs: readonly Transaction[], call: ScoreCall = {}): Promise<ScoreResult> {
    const t0 = performance.now();
    const storeTxs = txs.map(toStoreTransaction);
    // One ruleset for the whole call, even if a sync switches it meanwhile: the step reads the
    // lists of the kinds its rules name and keeps the velocity states they read, and no others.
    const ruleset = (this.deps.rules ?? EMPTY_RULES).current;
    // One pair of models for the whole call too, held until its challenger has scored.
    const lease = this.deps.models.lease();
    const { champion, challenger } = lease.models;
    let leaseHandedOff = false;
    const thresholds = this.thresholdsFor(champion);
    let stepped: Awaited<ReturnType<typeof stepWithin>>;
    try {
      stepped = await stepWithin(this.deps.store, storeTxs, this.deps.featureTimeoutMs, {
        listKinds: ruleset.listKinds,
        velocity: ruleset.velocityStates,
      });
    } catch (error) {
      lease.done();
      throw error;
    }
    const n = txs.length;
    const buf = this.buffers.acquire(n);
    try {
      // Per item: scored on a row, replayed, pending, or a repeat of an earlier item.
      const plan = new ItemPlan(n);
      const answers = new Array<string>(n);
      let rows = 0;
      // What the store read beside the states, per row: the rules' lists and velocity.
      const rowLists: (readonly string[])[] = [];
      const rowVelocity: (Float64Array | undefined)[] = [];
      const pending: number[] = [];
      // A reused id refuses the whole call (the store applied nothing): allocated only then.
      let conflicts: number[] | undefined;
      let skipped = 0;
      if (stepped.ok) {
        for (let i = 0; i < n; i++) {
          const o = stepped.outcomes[i]!;
          if (o.kind === 'fresh') {
            this.features(o.customer, o.terminal, storeTxs[i]!, buf.x, rows);
            rowLists.push(o.lists ?? NO_LISTS);
            rowVelocity.push(o.velocity);
            plan.score(i, rows++);
          } else if (o.kind === 'replay') {
            answers[i] = serialiseAnswer(replayAnswer(o.answer));
            plan.replay(i);
            this.deps.observer.replayed();
          } else if (o.kind === 'pending') {
            plan.pending(i);
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
          rows = fallbackFeatures(storeTxs, buf.x, plan);
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
          await champion.scorer.score(buf.x, rows, buf.out);
        } catch (error) {
          // The trees are at hand for the reasons: the same probabilities within 1e-5.
          for (let k = 0; k < rows; k++) {
            buf.out[k] = predictProbability(champion.ensemble, buf.x, k * N_FEATURES);
          }
          modelDegraded = true;
          this.deps.observer.degraded('model_error', error);
        }
      }
      const degraded = !stepped.ok || modelDegraded;
      const saves: AnswerSave[] = [];
      const fresh: ScoreAnswer[] = [];
      const shadow: (readonly string[])[] = [];
      for (let i = 0; i < n; i++) {
        const k = plan.row(i);
        if (k < 0) continue;
        const a = this.answer(
          txs[i]!,
          storeTxs[i]!,
          buf,
          k,
          degraded,
          ruleset,
          champion,
          thresholds,
          {
            lists: rowLists[k] ?? NO_LISTS,
            velocity: rowVelocity[k],
            shadow,
          },
        );
        const body = serialiseAnswer(a);
        answers[i] = body;
        saves.push({ transactionId: a.transaction_id, answer: body });
        fresh.push(a);
        this.deps.observer.decided(a.decision, degraded);
      }
      const t2 = performance.now();
      const timing = { featuresMs: t1 - t0, modelMs: t2 - t1 };

      const saving = {
        store: this.deps.store,
        failed: (e: unknown) => this.deps.observer.answerSaveFailed(e),
        background: call.background,
      };
      if (stepped.ok) saveAnswers(saves, saving);
      else if (stepped.late) saveWhenLate(stepped.late, storeTxs, plan, answers, saving);
      const sink = this.deps.sink;
      if (fresh.length > 0 && sink) {
        // Every event of a request carries the request's server time so far (a batch's events
        // all carry the batch's), which is its Server-Timing `total` less writing the response.
        // The events are built after the answer has gone (a feature record costs more than a
        // tree walk), from a copy of the rows: the buffers return to the pool below.
        const decided: Decided = {
          txs,
          plan,
          fresh,
          shadow,
          rulesetVersion: ruleset.version,
          x: buf.x.slice(0, rows * N_FEATURES),
          // Microseconds are the clock's honest resolution (workerd's is 1 ms); the rest is noise.
          latencyMs: Math.round((t2 - (call.startedAt ?? t0)) * 1000) / 1000,
          scoredAt: new Date().toISOString(),
          runtime: this.deps.runtime,
          ...(challenger
            ? {
                challenger: {
                  entry: challenger,
                  thresholds: this.thresholdsFor(challenger),
                  scorer: this.deps.challenger ?? inlineChallenger,
                },
              }
            : {}),
        };
        leaseHandedOff = true;
        emitLater(sink, decided, call, {
          sinkFailed: (e) => this.deps.observer.sinkFailed(e),
          challengerFailed: (e) => this.deps.observer.challengerFailed?.(e),
          done: () => lease.done(),
        });
      }

      const stillPending = resolveDuplicates(txs, pending, plan, answers);
      if (stillPending.length > 0) {
        for (let p = 0; p < stillPending.length; p++) this.deps.observer.pending();
        return { kind: 'pending', indexes: stillPending, timing };
      }
      for (let i = 0; i < n; i++) {
        const j = plan.firstOf(i);
        if (j >= 0) answers[i] = serialiseAnswer(replayAnswer(answers[j]!));
      }
      return { kind: 'answered', answers, timing };
    } finally {
      this.buffers.release(buf);
      if (!leaseHandedOff) lease.done();
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

  private answer(
    tx: Transaction,
    stx: StoreTransaction,
    buf: { readonly x: Float32Array; readonly out: Float32Array },
    row: number,
    degraded: boolean,
    ruleset: CompiledRuleset,
    model: ServedEntry,
    thresholds: Thresholds,
    read: {
      lists: readonly string[];
      velocity: Float64Array | undefined;
      shadow: (readonly string[])[];
    },
  ): ScoreAnswer {
    const score = buf.out[row]!;
    const modelDecision = decide(score, thresholds);
    const ruled = applyRules(ruleset, {
      tx,
      timeSec: stx.timeSec,
      features: buf.x,
      featuresOffset: row * N_FEATURES,
      score,
      modelDecision,
      lists: read.lists,
      velocity: read.velocity,
    });
    if (ruled.errors.length > 0) this.deps.observer.rulesFailed(ruled.errors);
    read.shadow.push(ruled.shadowRules);
    const reasons: AnswerReason[] = [];
    // The rule that decided comes first: it, not the model, is why the decision is what it is.
    if (ruled.decidingRule) reasons.push(ruleReason(ruled.decidingRule));
    for (const r of topReasons(model.ensemble, buf.x, 3, this.scratch, row * N_FEATURES)) {
      reasons.push({
        code: r.code,
        feature: r.feature,
        contribution: r.contribution,
        message: r.message,
      });
    }
    return {
      transaction_id: tx.transaction_id,
      score,
      decision: ruled.decision,
      reasons,
      // Read-only: serialised, saved and emitted, never changed (zod's type says mutable).
      rules: ruled.rules as ScoreAnswer['rules'],
      model_version: model.metadata.version,
      degraded,
      replayed: false,
    };
  }
}

const NO_LISTS: readonly string[] = Object.freeze([]);

function toStoreTransaction(tx: Transaction): StoreTransaction {
  return {
    transactionId: tx.transaction_id,
    customerId: tx.customer_id,
    terminalId: tx.terminal_id,
    timeSec: epochSeconds(tx.timestamp),
    amount: tx.amount,
    deviceId: tx.device_id,
    ip: tx.ip,
    country: tx.country,
  };
}
