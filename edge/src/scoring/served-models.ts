/**
 * The models a scoring call decides with (the champion) and scores in shadow (the challenger), as
 * the scoring service, the routes and the holder (model-holder.ts) share them. Types and pure
 * helpers only: the app's modules import these without importing the holder.
 */
import type { ModelMetadata, Scorer, Thresholds, TreeEnsemble } from '@vigil/core';

/** One servable model: metadata, trees (reasons, fallback, cold start) and its scorer. */
export interface ServedEntry {
  readonly metadata: ModelMetadata;
  readonly ensemble: TreeEnsemble;
  /** A WarmingScorer (tree walk until ORT is ready), or any Scorer (a fixed model in tests). */
  readonly scorer: Scorer & { readonly warm?: boolean; release?(): Promise<void> };
  /** The registry's digest; null for the deployed model. */
  readonly sha256: string | null;
  /**
   * The ONNX bytes the session was built from (verified against `sha256` when from the registry):
   * what a challenger scored in another thread loads there. Absent for a fixed scorer (tests).
   */
  readonly onnx?: Uint8Array;
}

/** The pair in force: swapped whole. */
export interface ServedModels {
  readonly champion: ServedEntry;
  readonly challenger: ServedEntry | null;
}

/** A scoring call's hold on the pair it started with; `done()` once, when all its work is over. */
export interface ModelLease {
  readonly models: ServedModels;
  done(): void;
}

/** Where a scoring call takes its models from. */
export interface ModelSource {
  readonly current: ServedModels;
  lease(): ModelLease;
}

/** A source that always serves one model and no challenger (an app built with a fixed scorer). */
export function fixedModels(champion: ServedEntry): ModelSource {
  const models: ServedModels = { champion, challenger: null };
  const lease: ModelLease = { models, done: () => undefined };
  return { current: models, lease: () => lease };
}

/** The thresholds a model decides with: those set through the backplane for it, else its own. */
export function thresholdsOf(
  e: ServedEntry,
  set: { readonly version: string; readonly thresholds: Thresholds } | null,
): Thresholds {
  return set && set.version === e.metadata.version ? set.thresholds : e.metadata.thresholds;
}
