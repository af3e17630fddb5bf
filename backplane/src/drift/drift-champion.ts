/**
 * The drift job's port: which model is the champion now, and the training reference its metadata
 * carries (null for a model without one, such as the shipped default model). main.ts hands the job
 * the registry's implementation; null when no model is registered.
 */
import type { DriftReference } from '@vigil/core';

export interface DriftChampion {
  readonly version: string;
  readonly reference: DriftReference | null;
}

export type ChampionSource = () => Promise<DriftChampion | null>;
