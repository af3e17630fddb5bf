/**
 * The model registry in Postgres (migration 010): registered artifacts (ONNX bytes and metadata),
 * their lifecycle — at most one champion and one challenger — and the audit row of every change,
 * written in the change's own transaction. Thresholds are not kept here: the thresholds table
 * (migration 008) holds those set for a version, and listings name those in force
 * (thresholds-in-force.ts).
 */
import {
  DEFAULT_MODEL_VERSION,
  MODEL_STATUSES,
  type DefaultModelEntry,
  trainedModelMetadataSchema,
  type ModelStatus,
  type RegisteredModel,
  type SyncedModels,
  type ThresholdsInForce,
  type TrainedModelMetadata,
} from '@vigil/core';
import type { Sql, TransactionSql } from 'postgres';
import * as z from 'zod/mini';
import { writeAudit, type AuditEntry } from '../audit/audit-log.js';
import { ProblemError } from '../../http/problem.js';
import { RowError } from '../rows.js';
import { inForceOf, thresholdsInForceByVersion } from '../thresholds/thresholds-in-force.js';
import type { DeployedModel } from './deployed-model.js';

const modelRow = z.object({
  version: z.string(),
  status: z.enum(MODEL_STATUSES),
  sha256: z.string(),
  size_bytes: z.number(),
  metadata: trainedModelMetadataSchema,
  created_at: z.date(),
  created_by: z.string(),
  promoted_at: z.nullable(z.date()),
  previous_champion: z.boolean(),
});

/** The columns of a listing: everything but the ONNX bytes. */
const LISTED = (sql: Sql | TransactionSql) => sql`
  m.version, m.status, m.sha256, m.size_bytes, m.metadata, m.created_at, m.created_by,
  m.promoted_at, m.previous_champion`;

/** Rows of `models` as listed, with the thresholds in force for each (thresholds-in-force.ts). */
async function toModels(sql: Sql | TransactionSql, rows: readonly unknown[]) {
  const models = rows.map((row) => {
    const r = z.safeParse(modelRow, row);
    if (!r.success) throw new RowError('model', r.error);
    return r.data;
  });
  const inForce = await thresholdsInForceByVersion(
    sql,
    models.map((m) => m.version),
  );
  return models.map((m) => toModel(m, inForceOf(inForce, m.version)));
}

function toModel(m: z.infer<typeof modelRow>, inForce: ThresholdsInForce): RegisteredModel {
  const t = m.metadata.training;
  return {
    version: m.version,
    status: m.status,
    created_at: m.created_at.toISOString(),
    created_by: m.created_by,
    training_window: t.train_window,
    validation_window: t.validation_window,
    test_window: t.test_window,
    source: t.source,
    metrics: m.metadata.metrics,
    thresholds: inForce.thresholds,
    thresholds_set: inForce.source === 'set',
    size_bytes: m.size_bytes,
    sha256: m.sha256,
    previous_champion: m.previous_champion,
    promoted_at: m.promoted_at?.toISOString() ?? null,
  };
}

/** Every model, the newest registration first. */
export async function listModels(sql: Sql): Promise<RegisteredModel[]> {
  const rows = await sql`
    SELECT ${LISTED(sql)} FROM models m ORDER BY m.created_at DESC, m.version`;
  return toModels(sql, rows);
}

/** One model, or null when no such version is registered. */
export async function getModel(
  sql: Sql | TransactionSql,
  version: string,
): Promise<RegisteredModel | null> {
  const [row] = await sql`
    SELECT ${LISTED(sql as Sql)} FROM models m WHERE m.version = ${version}`;
  return row ? (await toModels(sql, [row]))[0]! : null;
}

/** A validated artifact to register. */
export interface NewModel {
  readonly metadata: TrainedModelMetadata;
  readonly onnx: Uint8Array;
  readonly sha256: string;
}

/** What registering answered: a new version (201) or the same bytes again (200). */
export type Registration =
  | { readonly created: true; readonly model: RegisteredModel }
  | { readonly created: false; readonly model: RegisteredModel };

/**
 * Register `m` as a candidate, with its audit row. The same version with the same bytes again is
 * not a change (answered as it stands); with other bytes it is a 409: a version names one model.
 */
export async function registerModel(
  sql: Sql,
  m: NewModel,
  actor: string,
  at: Date,
): Promise<Registration> {
  const version = m.metadata.version;
  return sql.begin(async (tx) => {
    const inserted = await tx`
      INSERT INTO models (version, onnx, sha256, size_bytes, metadata, created_at, created_by)
      VALUES (${version}, ${m.onnx}, ${m.sha256}, ${m.onnx.length},
              ${JSON.stringify(m.metadata)}::text::jsonb, ${at}, ${actor})
      ON CONFLICT (version) DO NOTHING
      RETURNING version`;
    if (inserted.length === 0) {
      const [existing] = await tx<{ sha256: string }[]>`
        SELECT sha256 FROM models WHERE version = ${version}`;
      if (existing?.sha256 !== m.sha256) {
        throw new ProblemError(
          'already-exists',
          `model ${version} is registered with other bytes: a version names one model, retrain or rename it`,
          {
            errors: [
              { path: '/metadata/version', message: 'this version exists with other bytes' },
            ],
          },
        );
      }
      return { created: false as const, model: (await getModel(tx, version))! };
    }
    await writeAudit(
      tx,
      [
        {
          actor,
          action: 'model.register',
          target: `model:${version}`,
          before: null,
          after: { status: 'candidate', sha256: m.sha256, size_bytes: m.onnx.length },
        },
      ],
      at,
    );
    return { created: true as const, model: (await getModel(tx, version))! };
  });
}

/** A lifecycle change asked through the API. */
export type ModelAction = 'challenge' | 'promote' | 'retire';

interface StatusRow {
  version: string;
  status: ModelStatus;
  previous_champion: boolean;
}

interface Change {
  readonly row: StatusRow;
  readonly status: ModelStatus;
  readonly previous: boolean;
  /** The audit action: model.challenge, model.unchallenge, model.promote, model.demote, … */
  readonly what: string;
}

const HELD: readonly ModelStatus[] = ['champion', 'challenger'];

/**
 * Write `changes` in an order the unique indexes accept at every statement (they are checked per
 * statement, and a roll-back swaps the champion and the previous-champion marker between two
 * rows): markers cleared, then the places left, then the places taken, then markers set.
 */
async function applyChanges(tx: TransactionSql, changes: readonly Change[], at: Date) {
  const off = changes.filter((c) => c.row.previous_champion && !c.previous);
  const leaving = changes.filter((c) => c.status !== c.row.status && HELD.includes(c.row.status));
  const arriving = changes.filter((c) => c.status !== c.row.status && !HELD.includes(c.row.status));
  const on = changes.filter((c) => !c.row.previous_champion && c.previous);
  for (const c of off) {
    await tx`UPDATE models SET previous_champion = false WHERE version = ${c.row.version}`;
  }
  for (const c of [...leaving, ...arriving]) {
    await tx`
      UPDATE models SET status = ${c.status},
        promoted_at = CASE WHEN ${c.status === 'champion'} THEN ${at}::timestamptz ELSE promoted_at END
      WHERE version = ${c.row.version}`;
  }
  for (const c of on) {
    await tx`UPDATE models SET previous_champion = true WHERE version = ${c.row.version}`;
  }
}

/** The audit row of each change: the model's status and marker before and after. */
function auditOf(changes: readonly Change[], actor: string): AuditEntry[] {
  return changes.map((c) => ({
    actor,
    action: c.what,
    target: `model:${c.row.version}`,
    before: { status: c.row.status, previous_champion: c.row.previous_champion },
    after: { status: c.status, previous_champion: c.previous },
  }));
}

/**
 * Apply `action` to `version` with the audit rows of every model whose status changed, in one
 * transaction under the registry's lock (two analysts promoting at once take turns). Asking for
 * the status a model already has changes nothing. 404 for an unknown version; 409 to retire the
 * champion or to challenge it. DEFAULT_MODEL_VERSION names the edges' deployed model (see
 * changeDefault), answered as its listing entry, which `deployed` names.
 */
export async function changeModel(
  sql: Sql,
  version: string,
  action: ModelAction,
  actor: string,
  at: Date,
  deployed: DeployedModel | null,
): Promise<RegisteredModel | DefaultModelEntry> {
  return sql.begin(async (tx) => {
    // One lock for the whole registry: a change touches up to three rows (the target, the
    // champion or challenger it displaces, the previous champion's marker).
    await tx`SELECT pg_advisory_xact_lock(hashtext('vigil.models'))`;
    const rows = await tx<StatusRow[]>`
      SELECT version, status, previous_champion FROM models
      WHERE version = ${version} OR status IN ('champion', 'challenger') OR previous_champion`;
    if (version === DEFAULT_MODEL_VERSION) {
      await changeDefault(tx, rows, action, actor, at);
      return defaultModelEntry(tx, deployed);
    }
    const target = rows.find((r) => r.version === version);
    if (!target) throw new ProblemError('not-found', `no model ${version} is registered`);
    const changes: Change[] = [];
    const want = (r: StatusRow, status: ModelStatus, previous: boolean, what: string) => {
      if (r.status !== status || r.previous_champion !== previous) {
        changes.push({ row: r, status, previous, what });
      }
    };
    const holder = (s: ModelStatus) => rows.find((r) => r.status === s && r.version !== version);

    if (action === 'challenge') {
      if (target.status === 'champion') {
        throw new ProblemError(
          'model-status',
          `model ${version} is the champion: promote another before challenging it`,
        );
      }
      if (target.status !== 'challenger') {
        const old = holder('challenger');
        if (old) want(old, 'candidate', old.previous_champion, 'model.unchallenge');
        want(target, 'challenger', target.previous_champion, 'model.challenge');
      }
    } else if (action === 'promote') {
      const old = holder('champion');
      if (target.status !== 'champion') {
        // The champion it replaces stays registered as a candidate marked previous: roll back =
        // promote it. The marker moves to it from whichever model held it — or, when the
        // committed default was served (no champion), leaves every row: the default is the
        // previous one then, and a stale marker would roll back past it.
        for (const r of rows) {
          if (r.previous_champion && r !== target && r !== old) {
            want(r, r.status, false, 'model.unmark');
          }
        }
        if (old) want(old, 'candidate', true, 'model.demote');
        want(target, 'champion', false, 'model.promote');
      }
    } else {
      if (target.status === 'champion') {
        throw new ProblemError(
          'model-status',
          `model ${version} is the champion: promote another before retiring it`,
        );
      }
      // A retired model is no roll-back target: the marker goes with it.
      want(target, 'retired', false, 'model.retire');
    }
    await applyChanges(tx, changes, at);
    await writeAudit(tx, auditOf(changes, actor), at);
    return (await getModel(tx, version))!;
  });
}

/**
 * {@link changeModel} for the committed default (DEFAULT_MODEL_VERSION), whose status is not a
 * row but the absence of a champion: promoting it demotes the champion (marked previous, the
 * roll-back target, as any promotion leaves it), audited as `model.demote` of that model and
 * `model.promote` of `model:default`; with no champion it is already served and nothing changes.
 * It can be neither challenged (the backplane has no copy to hand an edge) nor retired (it is
 * what every edge falls back to).
 */
async function changeDefault(
  tx: TransactionSql,
  rows: readonly StatusRow[],
  action: ModelAction,
  actor: string,
  at: Date,
): Promise<void> {
  if (action !== 'promote') {
    throw new ProblemError(
      'model-status',
      `the default model is the one every edge was deployed with: it can be promoted, not ${action === 'retire' ? 'retired' : 'challenged'}`,
    );
  }
  const old = rows.find((r) => r.status === 'champion');
  if (!old) return;
  const changes: Change[] = rows
    .filter((r) => r.previous_champion && r !== old)
    .map((r) => ({ row: r, status: r.status, previous: false, what: 'model.unmark' }));
  changes.push({ row: old, status: 'candidate', previous: true, what: 'model.demote' });
  await applyChanges(tx, changes, at);
  const audit = auditOf(changes, actor);
  audit.push({
    actor,
    action: 'model.promote',
    target: `model:${DEFAULT_MODEL_VERSION}`,
    before: { status: 'candidate', replaces: old.version },
    after: { status: 'champion' },
  });
  await writeAudit(tx, audit, at);
}

/**
 * The committed default's entry in a listing: champion exactly when no registry model is; the
 * roll-back target (`previous_champion`) when a registry model is champion and none carries the
 * marker — it replaced the default, or the model it replaced was retired since. Named by its own
 * version with the thresholds in force for it (set for that version, else its metadata's).
 */
export async function defaultModelEntry(
  sql: Sql | TransactionSql,
  deployed: DeployedModel | null,
): Promise<DefaultModelEntry> {
  const [r] = await sql<{ champion: boolean; marked: boolean }[]>`
    SELECT bool_or(status = 'champion') IS TRUE AS champion,
           bool_or(previous_champion) IS TRUE AS marked
    FROM models`;
  const champion = r?.champion ?? false;
  const inForce = deployed
    ? (await thresholdsInForceByVersion(sql, [deployed.version])).get(deployed.version)
    : undefined;
  return {
    version: DEFAULT_MODEL_VERSION,
    status: champion ? 'candidate' : 'champion',
    previous_champion: champion && !(r?.marked ?? false),
    model_version: deployed?.version ?? null,
    thresholds: inForce?.thresholds ?? deployed?.thresholds ?? null,
    thresholds_set: inForce?.source === 'set',
    training_window: deployed?.training_window ?? null,
    validation_window: deployed?.validation_window ?? null,
    metrics: deployed?.metrics ?? null,
  };
}

/**
 * The champion and the challenger by version and digest, as the rules sync hands them out, with
 * the thresholds set for them and for `alsoNamed` (what the edge serves and has loaded). One
 * statement, so one snapshot: a promotion and the thresholds in force for the new champion reach
 * the edge in the same answer, never the model first and its thresholds a sync later.
 */
export async function syncedModels(
  sql: Sql,
  alsoNamed: readonly string[] = [],
): Promise<SyncedModels> {
  const rows = await sql<
    {
      version: string;
      status: ModelStatus | null;
      sha256: string | null;
      review: number | null;
      decline: number | null;
    }[]
  >`
    WITH named AS (
      SELECT version, status, sha256 FROM models WHERE status IN ('champion', 'challenger'))
    SELECT version, status, sha256, NULL::float8 AS review, NULL::float8 AS decline FROM named
    UNION ALL
    SELECT model_version, NULL, NULL, review, decline FROM thresholds
    WHERE model_version IN (SELECT version FROM named)
       OR model_version = ANY(${sql.array([...alsoNamed])}::text[])`;
  const ref = (s: ModelStatus) => {
    const r = rows.find((x) => x.status === s);
    return r?.sha256 ? { version: r.version, sha256: r.sha256 } : null;
  };
  const thresholds: Record<string, { review: number; decline: number }> = {};
  for (const r of rows) {
    if (r.status === null && r.review !== null && r.decline !== null) {
      thresholds[r.version] = { review: r.review, decline: r.decline };
    }
  }
  return { champion: ref('champion'), challenger: ref('challenger'), thresholds };
}

const artifactRow = z.object({
  version: z.string(),
  sha256: z.string(),
  onnx: z.instanceof(Uint8Array),
  metadata: trainedModelMetadataSchema,
});

/** A registered model's whole artifact (bytes and metadata), or null for an unknown version. */
export async function modelArtifact(
  sql: Sql,
  version: string,
): Promise<z.infer<typeof artifactRow> | null> {
  const [row] = await sql`
    SELECT version, sha256, onnx, metadata FROM models WHERE version = ${version}`;
  if (!row) return null;
  const r = z.safeParse(artifactRow, row);
  if (!r.success) throw new RowError('model artifact', r.error);
  return r.data;
}
