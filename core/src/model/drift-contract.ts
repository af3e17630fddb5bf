/**
 * Drift as the backplane reports it (GET /api/drift) and the dashboard shows it: the population
 * stability of the champion's score and of each feature over a recent window of stored decisions,
 * against the training reference in the model's metadata. The levels are the usual PSI lines.
 */
import * as z from 'zod/mini';

/** PSI at or above this: watch (the tile turns amber). */
export const DRIFT_AMBER = 0.1;
/** PSI at or above this: act (the tile turns red). */
export const DRIFT_RED = 0.25;
/** How many drifting features GET /api/drift names, most drifting first. */
export const DRIFT_TOP_FEATURES = 5;

export const DRIFT_LEVELS = ['ok', 'amber', 'red'] as const;
export type DriftLevel = (typeof DRIFT_LEVELS)[number];

/** The level of a PSI: ok below {@link DRIFT_AMBER}, amber below {@link DRIFT_RED}, else red. */
export function driftLevel(psi: number): DriftLevel {
  if (psi >= DRIFT_RED) return 'red';
  if (psi >= DRIFT_AMBER) return 'amber';
  return 'ok';
}

/**
 * The largest PSI over the score and the features, and its level; nulls when nothing was computed.
 */
export function driftSummary(
  scorePsi: number | null,
  features: readonly { readonly psi: number }[],
): { max_psi: number | null; level: DriftLevel | null } {
  if (scorePsi === null) return { max_psi: null, level: null };
  const max = features.reduce((m, f) => Math.max(m, f.psi), scorePsi);
  return { max_psi: max, level: driftLevel(max) };
}

/**
 * What a run found: `ok` (PSI computed), `no_reference` (the champion's metadata carries no
 * training reference, e.g. the shipped default model), `no_data` (no decision of the champion in
 * the window).
 */
export const DRIFT_STATUSES = ['ok', 'no_reference', 'no_data'] as const;
export type DriftStatus = (typeof DRIFT_STATUSES)[number];

const psiValue = z.number().check(z.gte(0));
const featurePsi = z.object({ feature: z.string(), psi: psiValue });
export type FeaturePsi = z.infer<typeof featurePsi>;

/** One drift run, as stored and as GET /api/drift answers it. */
export const driftRunSchema = z.object({
  computed_at: z.string(),
  /** The champion's version (the served one when none is registered; null when neither is known). */
  model_version: z.nullable(z.string()),
  /** The window of decisions (by `scored_at`), RFC 3339. */
  from: z.string(),
  to: z.string(),
  /** Decisions of the champion in the window that were compared. */
  rows: z.number().check(z.int(), z.gte(0)),
  status: z.enum(DRIFT_STATUSES),
  /** PSI of the score; null unless status is `ok`. */
  score_psi: z.nullable(psiValue),
  /** The largest PSI over the score and the features; null unless status is `ok`. */
  max_psi: z.nullable(psiValue),
  level: z.nullable(z.enum(DRIFT_LEVELS)),
  /** Every feature's PSI, most drifting first (empty unless status is `ok`). */
  features: z.array(featurePsi),
});
export type DriftRun = z.infer<typeof driftRunSchema>;

/** GET /api/drift: the latest run (null before the first) and its most drifting features. */
export const driftAnswerSchema = z.object({
  latest: z.nullable(driftRunSchema),
  top: z.array(featurePsi),
});
export type DriftAnswer = z.infer<typeof driftAnswerSchema>;
