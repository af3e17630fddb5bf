/**
 * GET /internal/models/{version} (core's modelArtifactPath): a registered model's whole artifact —
 * metadata and ONNX bytes in base64, with their SHA-256 — for an edge that learned in its rules
 * sync that it should serve or challenge with it. Signed like the sync with VIGIL_EVENTS_SECRET;
 * a GET has no body, so the signed text is the request's path as sent. Internal: the edge's
 * public origin never forwards /internal/* (edge/src/app/backplane-proxy.ts).
 */
import { MODEL_ARTIFACT_PATH_PREFIX, modelVersionSchema, type ModelArtifact } from '@vigil/core';
import { Hono } from 'hono';
import type { Sql } from 'postgres';
import * as z from 'zod/mini';
import { modelArtifact } from '../api/models/model-store.js';
import type { BackplaneEnv } from '../http/backplane-env.js';
import { ProblemError, validationProblem } from '../http/problem.js';
import { requireSignature, type SignedRequestDeps } from '../http/signed-json.js';

export interface ModelArtifactDeps extends SignedRequestDeps {
  readonly sql: Sql;
  /** The clock, in Unix seconds (tests pin it). */
  readonly nowS?: () => number;
}

export function modelArtifactRoutes(deps: ModelArtifactDeps): Hono<BackplaneEnv> {
  const nowS = deps.nowS ?? (() => Date.now() / 1000);
  const app = new Hono<BackplaneEnv>();
  app.get(`${MODEL_ARTIFACT_PATH_PREFIX}:version`, async (c) => {
    // The raw path, percent-encoding as the edge sent it: that is what it signed.
    await requireSignature(c, deps, new URL(c.req.url).pathname, nowS(), 'model artifact');
    const v = z.safeParse(modelVersionSchema, c.req.param('version'));
    if (!v.success) throw validationProblem([{ path: '/version', message: 'not a model version' }]);
    const a = await modelArtifact(deps.sql, v.data);
    if (!a) throw new ProblemError('not-found', `no model ${v.data} is registered`);
    const answer: ModelArtifact = {
      version: a.version,
      sha256: a.sha256,
      metadata: a.metadata,
      onnx: Buffer.from(a.onnx).toString('base64'),
    };
    return c.json(answer);
  });
  return app;
}
