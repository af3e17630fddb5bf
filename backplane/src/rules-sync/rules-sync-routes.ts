/**
 * POST /internal/rules/sync (core's RULES_SYNC_PATH): an edge asks, signed with
 * VIGIL_EVENTS_SECRET as its event batches are (X-Vigil-Signature, core's verifyBody), for what
 * changed since what it has — `ruleset_version` and the list `cursor` it last applied — and gets
 * core's RulesSyncAnswer: the ruleset when its version differs, every list, and up to 1,000 list
 * changes after the cursor (`more`: ask again at once). An edge that names the model it serves
 * (`model`) also gets the thresholds set for that model version (null: none, the model's own stand),
 * and the backplane records that the model is served (the thresholds preview's default). An edge
 * that names the registry models it has loaded (`models`) gets the registry's champion and
 * challenger by digest, and fetches what it lacks from GET /internal/models/{version}. Internal: the edge's public origin never
 * forwards /internal/* (edge/src/app/backplane-proxy.ts); edges call the backplane's own URL.
 */
import {
  rulesSyncRequestSchema,
  toFieldIssues,
  RULES_SYNC_PATH,
  type RulesSyncAnswer,
} from '@vigil/core';
import { Hono } from 'hono';
import type { Sql } from 'postgres';
import * as z from 'zod/mini';
import { currentRuleset, listRefs } from '../api/rules/rules-store.js';
import { syncedModels } from '../api/models/model-store.js';
import { thresholdsOf } from '../api/thresholds/thresholds-store.js';
import type { BackplaneEnv } from '../http/backplane-env.js';
import { ProblemError, validationProblem } from '../http/problem.js';
import { signedJson, type SignedRequestDeps } from '../http/signed-json.js';
import { listChangesAfter } from './list-changes.js';
import { modelArtifactRoutes } from './model-artifact-routes.js';
import { ServedModelRecorder } from './served-model-recorder.js';

export interface RulesSyncDeps extends SignedRequestDeps {
  readonly sql: Sql;
  /** The clock, in Unix seconds (tests pin it). */
  readonly nowS?: () => number;
}

/** A sync request is a few small fields (a model version is at most 200 characters): anything larger is not one. */
const MAX_SYNC_BODY = 4_096;
/**
 * A cursor is `<source>.<seq>`: this database's id (below) and a list_items seq in decimal. The
 * source makes a cursor from another database — a store shared with another deployment, or one
 * that outlived a database reset — start over from the beginning instead of skipping every change
 * whose seq is not past it.
 */
const CURSOR = /^([a-z0-9]{1,16})\.(0|[1-9]\d{0,14})$/;

/**
 * This database's id for cursors: when its first ruleset was written (at migration), in µs, base 36.
 * Read once per process.
 */
async function sourceOf(sql: Sql): Promise<string> {
  const [row] = await sql<{ us: string }[]>`
    SELECT (extract(epoch FROM created_at) * 1000000)::bigint::text AS us
    FROM rulesets WHERE version = 1`;
  if (!row) throw new Error('rules sync: no ruleset version 1 (migration 006 not applied)');
  return BigInt(row.us).toString(36);
}

export function rulesSyncRoutes(deps: RulesSyncDeps): Hono<BackplaneEnv> {
  const nowS = deps.nowS ?? (() => Date.now() / 1000);
  let source: Promise<string> | undefined;
  const served = new ServedModelRecorder(deps.sql, () => new Date(nowS() * 1000));
  const app = new Hono<BackplaneEnv>();
  // The artifacts the sync names, under the same secret.
  app.route('/', modelArtifactRoutes(deps));
  app.post(RULES_SYNC_PATH, async (c) => {
    if (Number(c.req.header('content-length') ?? 0) > MAX_SYNC_BODY) {
      throw new ProblemError(
        'payload-too-large',
        `a sync request is at most ${MAX_SYNC_BODY} bytes`,
      );
    }
    const body = await c.req.text();
    if (body.length > MAX_SYNC_BODY) {
      throw new ProblemError(
        'payload-too-large',
        `a sync request is at most ${MAX_SYNC_BODY} bytes`,
      );
    }
    const json = await signedJson(c, deps, body, nowS(), 'rules sync');
    const r = z.safeParse(rulesSyncRequestSchema, json);
    if (!r.success) throw validationProblem(toFieldIssues(r.error.issues));
    const { ruleset_version: version, cursor } = r.data;
    const parsed = cursor === null ? null : CURSOR.exec(cursor);
    if (cursor !== null && !parsed) {
      throw validationProblem([{ path: '/cursor', message: 'cursor must be one a sync answered' }]);
    }
    source ??= sourceOf(deps.sql).catch((e: unknown) => {
      source = undefined;
      throw e;
    });
    const here = await source;
    const after = parsed && parsed[1] === here ? BigInt(parsed[2]!) : 0n;
    // The ruleset before the lists: a ruleset names only lists that existed when it was written,
    // so the lists read after it hold every one its in_list calls name.
    const ruleset = await currentRuleset(deps.sql);
    const lists = await listRefs(deps.sql);
    const page = await listChangesAfter(deps.sql, after);
    const model = r.data.model;
    // Only an edge that named its model gets `thresholds` (an older edge's schema has no such field).
    const set = model ? await thresholdsOf(deps.sql, model.version) : undefined;
    if (model) await served.record(model.version, model.thresholds);
    // Only an edge that named its loaded models gets `models` (an older edge's schema has none).
    // With the thresholds of every version the edge may serve next or serves now (one snapshot).
    const loaded = r.data.models;
    const models = loaded
      ? await syncedModels(
          deps.sql,
          [model?.version, loaded.champion, loaded.challenger, loaded.deployed].filter(
            (v): v is string => typeof v === 'string',
          ),
        )
      : undefined;
    const answer: RulesSyncAnswer = {
      ruleset: ruleset.version === version ? null : ruleset,
      lists,
      changes: page.changes,
      cursor: `${here}.${page.last.toString()}`,
      more: page.more,
      ...(set === undefined
        ? {}
        : { thresholds: set && { review: set.review, decline: set.decline } }),
      ...(models === undefined ? {} : { models }),
    };
    return c.json(answer);
  });
  return app;
}
