/**
 * The drift job's champion from the model registry (migration 010's `models`): its version and the
 * training reference in its metadata, validated with core's schema (a row is never trusted). No
 * champion registered → null: the edges serve their deployed model, which carries no reference.
 */
import { driftReferenceSchema } from '@vigil/core';
import type { Sql } from 'postgres';
import * as z from 'zod/mini';
import type { ChampionSource } from './drift-champion.js';

export function registryChampion(sql: Sql): ChampionSource {
  return async () => {
    const [row] = await sql<{ version: string; reference: unknown }[]>`
      SELECT version, metadata->'reference' AS reference FROM models WHERE status = 'champion'`;
    if (!row) return null;
    const parsed = z.safeParse(driftReferenceSchema, row.reference);
    return { version: row.version, reference: parsed.success ? parsed.data : null };
  };
}
