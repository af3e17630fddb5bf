/**
 * The wire contract by which an edge learns the rules and lists in force: the edge asks the
 * backplane (`RULES_SYNC_PATH`, a POST signed with VIGIL_EVENTS_SECRET like the event ingest)
 * with what it has; the backplane answers what changed. Postgres is the source of truth.
 */
import * as z from 'zod/mini';
import {
  loadedModelsSchema,
  syncedModelsSchema,
  type SyncedModels,
} from '../model/registry-contract.js';
import type { Thresholds } from '../policy/decision.js';
import { modelVersionSchema, thresholdsSchema } from '../policy/thresholds-contract.js';
import {
  LIST_KINDS,
  LIST_NAME,
  ruleSchema,
  type ListChange,
  type ListRef,
  type Ruleset,
} from './rules-contract.js';

export const rulesSyncRequestSchema = z.strictObject({
  /** The ruleset version the edge runs (0: none yet). */
  ruleset_version: z.number().check(z.int(), z.gte(0)),
  /** The last list change the edge applied, as the backplane gave it; null: none (full sync). */
  cursor: z.nullable(z.string().check(z.maxLength(100))),
  /**
   * The model this edge serves and its metadata's thresholds. Optional, so an edge from before
   * thresholds were synced still syncs; when given, the answer carries `thresholds`, and the
   * backplane learns which model the edges serve (the preview's default, GET /api/thresholds).
   */
  model: z.optional(z.strictObject({ version: modelVersionSchema, thresholds: thresholdsSchema })),
  /**
   * The registry models this edge has loaded (issue 18). Optional, so an edge from before the
   * registry still syncs; when given, the answer carries `models`.
   */
  models: z.optional(loadedModelsSchema),
});
export type RulesSyncRequest = z.infer<typeof rulesSyncRequestSchema>;

export interface RulesSyncAnswer {
  /** The ruleset in force, or null when the edge already runs `ruleset_version`. */
  readonly ruleset: Ruleset | null;
  /** Every list (name and kind), so the edge can compile `in_list` against them. */
  readonly lists: readonly ListRef[];
  /**
   * Membership changes after the edge's cursor, in order (at most a page). With a null cursor:
   * every item on every list, and the removals the backplane still keeps (tombstones). Items carry
   * their expiry; applying a change twice is harmless.
   */
  readonly changes: readonly ListChange[];
  /** Where the next sync continues. */
  readonly cursor: string;
  /** More changes wait: ask again at once with `cursor`. */
  readonly more: boolean;
  /**
   * Only when the request named its `model`: the thresholds set for that model version (PUT
   * /api/thresholds/{model_version}), or null when none are (the model's own stand). Absent
   * otherwise, so an edge from before thresholds were synced, whose schema is strict, still syncs.
   */
  readonly thresholds?: Thresholds | null;
  /**
   * Only when the request carried `models`: the registry's champion and challenger by version and
   * SHA-256 (null: none). The edge fetches an artifact it does not hold from
   * `modelArtifactPath(version)` and keeps serving what it has until the new one is ready.
   */
  readonly models?: SyncedModels;
}

const listRefSchema = z.strictObject({
  name: z.string().check(z.regex(LIST_NAME)),
  kind: z.enum(LIST_KINDS),
});

/**
 * The answer as the edge validates it (a border: a backplane of another version, or a proxy in
 * between, must not put a half-understood ruleset into force). Item values are not re-checked
 * against their kind here: the backplane validated them on the way in, and a value no
 * transaction can carry is simply never matched.
 */
export const rulesSyncAnswerSchema = z.strictObject({
  ruleset: z.nullable(
    z.strictObject({ version: z.number().check(z.int(), z.gte(1)), rules: z.array(ruleSchema) }),
  ),
  lists: z.array(listRefSchema),
  changes: z.array(
    z.strictObject({
      op: z.enum(['add', 'remove']),
      list: z.string().check(z.regex(LIST_NAME)),
      kind: z.enum(LIST_KINDS),
      value: z.string().check(z.minLength(1), z.maxLength(128)),
      expiresAtMs: z.nullable(z.number().check(z.int())),
    }),
  ),
  cursor: z.string().check(z.maxLength(100)),
  more: z.boolean(),
  thresholds: z.optional(z.nullable(thresholdsSchema)),
  models: z.optional(syncedModelsSchema),
});

// The schema and the interface above describe one shape: a mismatch fails the type check here.
type _SameShape = z.infer<typeof rulesSyncAnswerSchema> extends RulesSyncAnswer ? true : never;
export const RULES_SYNC_ANSWER_MATCHES: _SameShape = true;
