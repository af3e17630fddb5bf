/**
 * The models this edge serves: the champion (what decides) and an optional challenger (scored in
 * shadow after the answer), kept in step with the registry through the rules sync.
 *
 * A swap never fails or slows a request: the new model is fetched, verified (SHA-256) and its ORT
 * session built beside the one serving; only when it answers is the pair switched, by replacing
 * one reference. A scoring call leases the pair it started with for its whole life — answers,
 * reasons, fallback and the challenger's shadow score all come from that pair, never a mix — and a
 * model no longer served is released when its last lease ends. A bad artifact (digest, shape,
 * features, a graph ORT refuses) keeps the models in force, is logged and counted in /metrics,
 * and is not fetched again; a fetch that fails is retried at the next sync. The champion `null`
 * serves the model the edge was deployed with (edge/model/), which is never released.
 */
import {
  ensembleFromOnnx,
  N_FEATURES,
  parseModelMetadata,
  type LoadedModels,
  type ModelMetadata,
  type ModelRef,
  type SyncedModels,
  type TreeEnsemble,
} from '@vigil/core';
import type { Logger } from '../app/app-context.js';
import { Counter, type MetricsSource } from '../app/metrics.js';
import { BadArtifactError, type VerifiedArtifact } from './model-artifacts.js';
import type { OrtScorer, OrtScorerInput } from './ort-scorer.js';
import type { ModelLease, ModelSource, ServedEntry, ServedModels } from './served-models.js';
import { WarmingScorer } from './warming-scorer.js';

/** Builds an ORT session (on Node, behind a MicroBatchScorer; on Workers, with the compiled Wasm). */
export type SessionFactory = (input: OrtScorerInput) => Promise<OrtScorer>;

/** A model entry whose tree walk answers at once and whose ORT session is built meanwhile. */
export function servedEntry(
  metadata: ModelMetadata,
  ensemble: TreeEnsemble,
  onnx: Uint8Array,
  createSession: SessionFactory,
  sha256: string | null,
): ServedEntry & { readonly scorer: WarmingScorer } {
  if (ensemble.nFeatures !== N_FEATURES || metadata.feature_names.length !== N_FEATURES) {
    throw new Error(
      `model ${metadata.version}: trees read ${ensemble.nFeatures} features, metadata names ` +
        `${metadata.feature_names.length}, this build computes ${N_FEATURES}`,
    );
  }
  const scorer = new WarmingScorer(metadata.version, ensemble, () =>
    createSession({ model: onnx, metadata }),
  );
  return { metadata, ensemble, scorer, sha256, onnx };
}

export interface ModelHolderDeps {
  /** The model the edge was deployed with: served until the registry names a champion. */
  readonly deployed: ServedEntry;
  readonly createSession: SessionFactory;
  /** Fetch and verify a registry artifact (model-artifacts.ts); absent without a backplane. */
  readonly fetchArtifact?: (ref: ModelRef) => Promise<VerifiedArtifact>;
  readonly log: Logger;
  /**
   * Told of each new pair once it is served (the Node edge's challenger thread loads the new
   * challenger, or drops it, then). Must not throw.
   */
  readonly onServe?: (models: ServedModels) => void;
}

const leaseCounts = new WeakMap<ServedEntry, number>();

export class ModelHolder implements ModelSource, MetricsSource {
  private now: ServedModels;
  /** Digests refused for good: a bad artifact is not fetched again. */
  private readonly refused = new Set<string>();
  /** Entries swapped out, released when their last lease ends. */
  private readonly retiring = new Set<ServedEntry>();
  private applying: Promise<void> | null = null;
  private readonly failures = new Counter(
    'vigil_model_load_failures_total',
    'Registry models this edge could not load, by reason (it kept the models in force).',
    [{ reason: 'bad_artifact' }, { reason: 'session' }, { reason: 'fetch' }],
  );
  private readonly swaps = new Counter(
    'vigil_model_swaps_total',
    'Switches of the served champion/challenger pair.',
  );

  constructor(private readonly deps: ModelHolderDeps) {
    this.now = { champion: deps.deployed, challenger: null };
  }

  get current(): ServedModels {
    return this.now;
  }

  /** The deployed model's scorer: ready() of the cold start. */
  get deployed(): ServedEntry {
    return this.deps.deployed;
  }

  /** What the rules sync request names as loaded (registry versions only). */
  loaded(): LoadedModels {
    const { champion, challenger } = this.now;
    return {
      champion: champion.sha256 === null ? null : champion.metadata.version,
      challenger: challenger ? challenger.metadata.version : null,
    };
  }

  lease(): ModelLease {
    const models = this.now;
    hold(models.champion, 1);
    if (models.challenger) hold(models.challenger, 1);
    let done = false;
    return {
      models,
      done: () => {
        if (done) return;
        done = true;
        hold(models.champion, -1);
        if (models.challenger) hold(models.challenger, -1);
        this.releaseIdle();
      },
    };
  }

  /** Bring the pair in line with the registry (from a rules sync answer); never throws. */
  apply(wanted: SyncedModels): Promise<void> {
    // One at a time: a sync that arrives during a load waits for it, then compares again.
    const run = (this.applying ?? Promise.resolve()).then(() => this.applyOnce(wanted));
    this.applying = run.finally(() => {
      if (this.applying === run) this.applying = null;
    });
    return run;
  }

  /** Release every session (at shutdown, once requests have finished). */
  async close(): Promise<void> {
    const all = new Set<ServedEntry>([this.deps.deployed, this.now.champion, ...this.retiring]);
    if (this.now.challenger) all.add(this.now.challenger);
    this.retiring.clear();
    await Promise.all([...all].map((e) => e.scorer.release?.() ?? Promise.resolve()));
  }

  render(out: string[]): void {
    const { champion, challenger } = this.now;
    out.push(
      '# HELP vigil_served_model The models this edge serves (value 1): role champion or challenger, source deployed or registry.',
      '# TYPE vigil_served_model gauge',
      servedLine('champion', champion),
    );
    if (challenger) out.push(servedLine('challenger', challenger));
    out.push(
      "# HELP vigil_model_warm 1 when the role is scored by its ORT session, 0 while core's tree walk answers (cold start).",
      '# TYPE vigil_model_warm gauge',
      `vigil_model_warm{role="champion"} ${champion.scorer.warm === false ? 0 : 1}`,
    );
    if (challenger)
      out.push(`vigil_model_warm{role="challenger"} ${challenger.scorer.warm === false ? 0 : 1}`);
    this.failures.render(out);
    this.swaps.render(out);
  }

  private async applyOnce(wanted: SyncedModels): Promise<void> {
    const champion = await this.resolve(wanted.champion, this.now.champion);
    const challenger =
      wanted.challenger === null
        ? null
        : await this.resolve(wanted.challenger, this.now.challenger);
    const before = this.now;
    // A challenger that could not be loaded is simply not scored; a champion keeps the old one.
    if (champion === before.champion && challenger === before.challenger) return;
    this.now = { champion, challenger };
    this.swaps.inc();
    this.deps.onServe?.(this.now);
    this.deps.log({
      level: 'info',
      msg: 'model: serving a new pair',
      champion: champion.metadata.version,
      challenger: challenger?.metadata.version ?? null,
    });
    for (const e of [before.champion, before.challenger]) {
      if (e && e !== champion && e !== challenger && e !== this.deps.deployed) this.retiring.add(e);
    }
    this.releaseIdle();
  }

  /**
   * The entry for `ref`: one already served (a promotion of the challenger, a rollback to the
   * deployed model), else a new one, loaded and warm; on failure `fallback` (what is in force).
   */
  private async resolve<F extends ServedEntry | null>(
    ref: ModelRef | null,
    fallback: F,
  ): Promise<ServedEntry | F> {
    if (ref === null) return this.deps.deployed;
    for (const e of [this.now.champion, this.now.challenger, ...this.retiring]) {
      if (e && e.sha256 === ref.sha256 && e.metadata.version === ref.version) return e;
    }
    if (this.refused.has(ref.sha256) || !this.deps.fetchArtifact) return fallback;
    let artifact: VerifiedArtifact;
    try {
      artifact = await this.deps.fetchArtifact(ref);
    } catch (error) {
      if (error instanceof BadArtifactError) this.refuse(ref, 'bad_artifact', error);
      else {
        this.failures.inc({ reason: 'fetch' });
        this.deps.log({
          level: 'warn',
          msg: 'model: artifact fetch failed',
          version: ref.version,
          error,
        });
      }
      return fallback;
    }
    let entry: ServedEntry & { readonly scorer: WarmingScorer };
    try {
      const metadata = parseModelMetadata(artifact.metadata);
      const ensemble = ensembleFromOnnx(artifact.onnx, N_FEATURES);
      entry = servedEntry(metadata, ensemble, artifact.onnx, this.deps.createSession, ref.sha256);
    } catch (error) {
      this.refuse(ref, 'bad_artifact', error);
      return fallback;
    }
    // Built beside the one serving; switched only once ORT answers with it.
    if (!(await entry.scorer.ready)) {
      this.refuse(ref, 'session', entry.scorer.failure);
      return fallback;
    }
    return entry;
  }

  private refuse(ref: ModelRef, reason: string, error: unknown): void {
    this.refused.add(ref.sha256);
    this.failures.inc({ reason });
    this.deps.log({
      level: 'error',
      msg: 'model: registry model refused, the models in force are kept',
      version: ref.version,
      sha256: ref.sha256,
      error,
    });
  }

  private releaseIdle(): void {
    for (const e of this.retiring) {
      if ((leaseCounts.get(e) ?? 0) > 0) continue;
      if (e === this.now.champion || e === this.now.challenger) {
        this.retiring.delete(e);
        continue;
      }
      this.retiring.delete(e);
      e.scorer.release?.().catch((error: unknown) => {
        this.deps.log({ level: 'warn', msg: 'model: session release failed', error });
      });
    }
  }
}

function hold(e: ServedEntry, delta: number): void {
  leaseCounts.set(e, (leaseCounts.get(e) ?? 0) + delta);
}

function servedLine(role: string, e: ServedEntry): string {
  const source = e.sha256 === null ? 'deployed' : 'registry';
  return `vigil_served_model{role="${role}",version=${JSON.stringify(e.metadata.version)},source="${source}"} 1`;
}
