/**
 * The rules and lists in force at this edge, kept in step with the backplane (Postgres is the
 * source of truth). A sync asks the backplane with what this edge has (its ruleset version, and
 * the cursor of the last list changes its feature store holds — kept in the store with the
 * lists, so edges sharing Redis or the Worker's Durable Object do not each re-send every list,
 * and a store that lost its lists, restarted, is synced from the start); list changes go into the feature store, where
 * the scoring step reads them in its one round trip; a new ruleset is compiled whole and switched
 * in only after every page of list changes before it is applied — never half a ruleset. A sync
 * that fails keeps what the edge had and says so in /metrics (vigil_rules_stale).
 *
 * Off the latency path: Node runs `start()` (a timer, every VIGIL_RULES_SYNC_MS); a Worker,
 * which has no timers between requests, calls `onRequest` from each request, which starts a sync
 * in waitUntil at most once per interval — and, when the last attempt is older than the 5 s the
 * architecture promises, makes that request wait for it, up to STALE_WAIT_MS (an isolate's first
 * request, or the first after an idle spell: one round trip to the backplane fits in it).
 */
import {
  RULES_SYNC_PATH,
  rulesSyncAnswerSchema,
  SIGNATURE_HEADER,
  signBody,
  type FeatureStore,
  type HmacSha256,
  type ListRef,
  type LoadedModels,
  type SyncedModels,
  type Ruleset,
  type RulesSyncAnswer,
  type RulesSyncRequest,
  type Thresholds,
} from '@vigil/core';
import * as z from 'zod/mini';
import { Counter, type MetricsSource } from '../app/metrics.js';
import type { Logger } from '../app/app-context.js';

/** What a compiler makes of a ruleset: the engine's program, or why it refused. */
export type Compiled<C> = { ok: true; compiled: C } | { ok: false; message: string };

export interface RulesKeeperDeps<C> {
  /** VIGIL_BACKPLANE_URL without a trailing slash, and VIGIL_EVENTS_SECRET to sign with. */
  readonly backplaneUrl: string;
  readonly secret: string;
  readonly hmac: HmacSha256;
  /**
   * Where list changes go, and where the cursor of the last ones applied is kept: with the lists,
   * so edges sharing a store continue from it, and a store that lost its lists starts over.
   */
  readonly store: Pick<FeatureStore, 'applyListChanges' | 'listCursor'>;
  readonly compile: (ruleset: Ruleset, lists: readonly ListRef[]) => Compiled<C>;
  /** In force before the first sync: no rules (version 0). */
  readonly initial: C;
  /** Between syncs (VIGIL_RULES_SYNC_MS, default 1,000). */
  readonly intervalMs: number;
  /** Deadline of one sync request (default 2,000 ms). */
  readonly timeoutMs?: number;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  /**
   * The model this edge serves and its metadata's thresholds: named in each sync, so the backplane
   * answers the thresholds set for that model version (and knows which models are served).
   */
  readonly model?: { readonly version: string; readonly thresholds: Thresholds };
  /**
   * The registry models (ModelHolder): named as loaded in each sync, and handed the answer's
   * champion and challenger, which it loads beside the ones serving (within the sync: on Workers
   * under the waitUntil of the request that started it).
   */
  readonly models?: {
    loaded(): LoadedModels;
    apply(wanted: SyncedModels): Promise<void>;
  };
}

/** Past this since the last attempt a Worker request waits for a sync (the 5 s promise, less slack). */
const STALE_AFTER_MS = 4_000;
/**
 * The longest a stale Worker request waits for that sync; it goes on in waitUntil. One round trip
 * to the backplane fits; a first sync of large lists does not, and must not hold a payment.
 */
const STALE_WAIT_MS = 250;
/** Pages of list changes one sync applies at most before it yields to the next tick. */
const MAX_PAGES = 100;

export class RulesKeeper<C> implements MetricsSource {
  private compiledNow: C;
  private versionNow = 0;
  private listsNow: readonly ListRef[] = [];
  private thresholdsNow: Thresholds | null = null;
  /** The model version `thresholdsNow` were answered for. */
  private thresholdsForNow = '';
  /**
   * The thresholds set per version for every model the last sync named (the served one, the
   * registry's champion and challenger, the deployed one): in place before the holder is handed a
   * new champion, so its first answer decides with the thresholds in force for it.
   */
  private setByVersion: ReadonlyMap<string, Thresholds> = new Map();
  private lastOkMs = 0;
  private lastAttemptMs = Number.NEGATIVE_INFINITY;
  private running: Promise<boolean> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly failures = new Counter(
    'vigil_rules_sync_failures_total',
    'Syncs of rules and lists with the backplane that failed (the edge kept what it had).',
  );
  private readonly refused = new Counter(
    'vigil_rules_compile_failures_total',
    'Rulesets from the backplane this edge could not compile (it kept the one in force).',
  );

  constructor(private readonly deps: RulesKeeperDeps<C>) {
    this.compiledNow = deps.initial;
  }

  /** The compiled ruleset in force: read once per scoring call, swapped whole by a sync. */
  get current(): C {
    return this.compiledNow;
  }

  get version(): number {
    return this.versionNow;
  }

  /**
   * The thresholds set for this edge's model version through the backplane, or null when none are
   * (the model's own stand): read once per scoring call, like `current`.
   */
  get thresholds(): Thresholds | null {
    return this.thresholdsNow;
  }

  /** The thresholds with the model version they were set for (null: none are set). */
  get thresholdsFor(): { readonly version: string; readonly thresholds: Thresholds } | null {
    return this.thresholdsNow
      ? { version: this.thresholdsForNow, thresholds: this.thresholdsNow }
      : null;
  }

  /**
   * The thresholds set through the backplane for a model version, or null when none are (its own
   * metadata's decide). A version the last sync did not name: what was answered for the served one.
   */
  thresholdsOf(version: string): Thresholds | null {
    const set = this.setByVersion.get(version);
    if (set) return set;
    return this.thresholdsNow && this.thresholdsForNow === version ? this.thresholdsNow : null;
  }

  /** Sync now (joining one in flight). True if the edge is in step with the backplane. */
  sync(): Promise<boolean> {
    this.running ??= this.syncOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Node: sync at once and then every interval, until `stop()`. */
  start(): Promise<boolean> {
    this.timer ??= setInterval(() => void this.sync(), this.deps.intervalMs);
    (this.timer as { unref?: () => void }).unref?.();
    return this.sync();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * A Worker request's hook: a sync at most once per interval, in the background; awaited (up to
   * STALE_WAIT_MS) only when the last attempt is older than STALE_AFTER_MS (an isolate's first
   * request, or the first after an idle spell).
   */
  async onRequest(background: (work: Promise<unknown>) => void): Promise<void> {
    const age = this.now() - this.lastAttemptMs;
    if (age < this.deps.intervalMs && this.running === null) return;
    const work = this.sync();
    background(work);
    if (age >= STALE_AFTER_MS) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, STALE_WAIT_MS)));
      await Promise.race([work, waited]);
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  render(out: string[]): void {
    const stale = this.lastOkMs === 0 || this.now() - this.lastOkMs > STALE_AFTER_MS + 1_000;
    out.push(
      '# HELP vigil_ruleset_version The ruleset version this edge decides with (0: none yet).',
      '# TYPE vigil_ruleset_version gauge',
      `vigil_ruleset_version ${this.versionNow}`,
      '# HELP vigil_rules_stale 1 when the last successful sync with the backplane is older than 5 s: the edge keeps the last ruleset and lists it had.',
      '# TYPE vigil_rules_stale gauge',
      `vigil_rules_stale ${stale ? 1 : 0}`,
      '# HELP vigil_rules_sync_age_seconds Seconds since the last successful sync (-1: never).',
      '# TYPE vigil_rules_sync_age_seconds gauge',
      `vigil_rules_sync_age_seconds ${this.lastOkMs === 0 ? -1 : (this.now() - this.lastOkMs) / 1000}`,
    );
    const model = this.deps.model;
    if (model) {
      const t = this.thresholdsNow ?? model.thresholds;
      const source = this.thresholdsNow ? 'backplane' : 'model';
      out.push(
        '# HELP vigil_decision_threshold The score thresholds this edge decides with (source: backplane when set through the API for its model version, else the model).',
        '# TYPE vigil_decision_threshold gauge',
        `vigil_decision_threshold{threshold="review",source="${source}"} ${t.review}`,
        `vigil_decision_threshold{threshold="decline",source="${source}"} ${t.decline}`,
      );
    }
    this.failures.render(out);
    this.refused.render(out);
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private async syncOnce(): Promise<boolean> {
    this.lastAttemptMs = this.now();
    try {
      let pending: Ruleset | null = null;
      let lists = this.listsNow;
      let cursor = await this.deps.store.listCursor();
      let thresholds = this.thresholdsNow;
      const model = this.deps.model;
      // Read once: the model served may change (a promotion) while the sync is under way.
      const asked = model ? { version: model.version, thresholds: model.thresholds } : undefined;
      const models = this.deps.models;
      let wanted: SyncedModels | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const answer = await this.ask({
          ruleset_version: pending?.version ?? this.versionNow,
          cursor,
          ...(asked ? { model: asked } : {}),
          ...(models ? { models: models.loaded() } : {}),
        });
        wanted = answer.models ?? wanted;
        // Absent from a backplane that predates them: the model's own stand.
        thresholds = answer.thresholds ?? null;
        if (answer.changes.length > 0) {
          await this.deps.store.applyListChanges(answer.changes, answer.cursor);
        }
        cursor = answer.cursor;
        lists = answer.lists;
        if (answer.ruleset) pending = answer.ruleset;
        if (!answer.more) break;
      }
      this.listsNow = lists;
      // Thresholds stand apart from the ruleset: a ruleset this edge refuses does not hold them back.
      this.thresholdsNow = thresholds;
      this.thresholdsForNow = asked?.version ?? '';
      // Before the models are applied: a champion this answer names is switched in by the holder
      // as soon as its session is ready, and must find its thresholds already here.
      if (wanted?.thresholds) this.setByVersion = new Map(Object.entries(wanted.thresholds));
      // The models after the rules are switched: a model load (a fetch and ~0.5 s of ORT) never
      // holds back a ruleset, nor a refused ruleset a model; a failed load keeps what is served.
      const loadModels = models && wanted ? () => models.apply(wanted) : () => Promise.resolve();
      if (pending && pending.version !== this.versionNow) {
        const c = this.deps.compile(pending, lists);
        if (!c.ok) {
          this.refused.inc();
          this.deps.log({
            level: 'error',
            msg: 'rules: ruleset refused, the one in force is kept',
            version: pending.version,
            reason: c.message,
          });
          await loadModels();
          return false;
        }
        this.compiledNow = c.compiled;
        this.versionNow = pending.version;
      }
      this.lastOkMs = this.now();
      await loadModels();
      return true;
    } catch (error) {
      this.failures.inc();
      this.deps.log({ level: 'warn', msg: 'rules: sync with the backplane failed', error });
      return false;
    }
  }

  private async ask(request: RulesSyncRequest): Promise<RulesSyncAnswer> {
    const body = JSON.stringify(request);
    const signature = await signBody(this.deps.hmac, this.deps.secret, body, this.now() / 1000);
    const res = await (this.deps.fetch ?? fetch)(this.deps.backplaneUrl + RULES_SYNC_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature },
      body,
      signal: AbortSignal.timeout(this.deps.timeoutMs ?? 2_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`rules sync: HTTP ${res.status}: ${text.slice(0, 200)}`);
    const parsed = z.safeParse(rulesSyncAnswerSchema, JSON.parse(text));
    if (!parsed.success) {
      throw new Error(`rules sync: unexpected answer: ${z.prettifyError(parsed.error)}`);
    }
    return parsed.data;
  }
}
