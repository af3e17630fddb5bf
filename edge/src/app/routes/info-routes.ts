import { Hono } from 'hono';
import type { AppContext, EdgeEnv } from '../app-context.js';
import { DOCS_CSP, renderDocsPage } from '../docs-page.js';
import { buildOpenApiDocument } from '../openapi.js';
import type { ServedEntry } from '../../scoring/served-models.js';

/** GET /v1/health, /v1/model, /metrics, /openapi.json and /docs. */
export function infoRoutes(ctx: AppContext): Hono<EdgeEnv> {
  const r = new Hono<EdgeEnv>();
  const version = ctx.model.metadata.version;
  // Built on first request: it costs a few ms, which a Worker's start-up need not pay.
  let openapi: string | undefined;
  let docs: string | undefined;
  const doc = () => {
    if (openapi === undefined) {
      const d = buildOpenApiDocument(version);
      openapi = JSON.stringify(d);
      docs = renderDocsPage(d);
    }
    return { openapi, docs: docs! };
  };
  const JSON_TYPE = { 'content-type': 'application/json' };

  // The champion's version now: a promotion changes it without a restart.
  let health = '';
  let healthOf = '';
  r.get('/v1/health', (c) => {
    const v = ctx.models.current.champion.metadata.version;
    if (v !== healthOf) {
      health = JSON.stringify({ status: 'ok', model_version: v, runtime: ctx.runtime });
      healthOf = v;
    }
    return c.body(health, 200, { ...JSON_TYPE, 'cache-control': 'no-store' });
  });
  // The champion's metadata, with `thresholds` those in force: set for its version through the
  // backplane (synced with the rules), else the model's own, which `model_thresholds` keeps;
  // `source` says whether it is the deployed model or the registry's; `challenger` likewise, or
  // null when none is scored in shadow.
  r.get('/v1/model', (c) => {
    const { champion, challenger } = ctx.models.current;
    const metadata = champion.metadata;
    const inForce = ctx.scoring.thresholdsFor(champion);
    const other = challenger
      ? {
          version: challenger.metadata.version,
          thresholds: ctx.scoring.thresholdsFor(challenger),
          source: sourceOf(challenger),
        }
      : null;
    return c.json({
      ...metadata,
      thresholds: { review: inForce.review, decline: inForce.decline },
      model_thresholds: metadata.thresholds,
      thresholds_source: inForce === metadata.thresholds ? 'model' : 'backplane',
      source: sourceOf(champion),
      challenger: other,
    });
  });
  r.get('/metrics', (c) =>
    c.body(ctx.metrics.render(), 200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      'cache-control': 'no-store',
    }),
  );
  r.get('/openapi.json', (c) => c.body(doc().openapi, 200, JSON_TYPE));
  r.get('/docs', (c) =>
    c.body(doc().docs, 200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': DOCS_CSP,
    }),
  );
  return r;
}

const sourceOf = (e: ServedEntry): 'deployed' | 'registry' =>
  e.sha256 === null ? 'deployed' : 'registry';
