/**
 * The model registry through the analysts' API (ARCHITECTURE.md "Models"; docs/api.md): register
 * a trained model (POST /models), list them (GET /models), compare champion and challenger over
 * the stored decisions (GET /models/compare), challenge, promote, retire, and set a version's
 * thresholds (PUT /models/{version}/thresholds, the same table as PUT /thresholds/{version}).
 * `default` names the edges' deployed model in promote and thresholds (DEFAULT_MODEL_VERSION).
 * Every change is audited in its own transaction; edges learn the result in their rules sync.
 */
import { createHash } from 'node:crypto';
import {
  DEFAULT_MODEL_VERSION,
  isStorableText,
  MAX_MODEL_ONNX_BYTES,
  MAX_MODEL_REGISTER_BODY,
  modelCompareQuerySchema,
  modelThresholdsRequestSchema,
  modelVersionSchema,
  parseTrainedModelMetadata,
  registerModelRequestSchema,
  toFieldIssues,
  trainedModelMetadataSchema,
  type FieldIssue,
  type ModelList,
  type RegisterModelAnswer,
  type TrainedModelMetadata,
} from '@vigil/core';
import { Hono } from 'hono';
import type { Sql } from 'postgres';
import * as z from 'zod/mini';
import type { ApiEnv } from '../api-env.js';
import type { OneReadPerAnalyst } from '../heavy-reads.js';
import { ProblemError, validationProblem } from '../../http/problem.js';
import { setThresholds } from '../thresholds/thresholds-store.js';
import {
  noQuery,
  parseBody,
  parseQuery,
  parseWith,
  readJsonBody,
  pathParams,
} from '../validate.js';
import { deployedModelVersion } from '../thresholds/thresholds-in-force.js';
import { previewWindow } from '../thresholds/thresholds-routes.js';
import { deployedModel, type DeployedModel } from './deployed-model.js';
import { compareModels } from './model-compare.js';
import {
  changeModel,
  defaultModelEntry,
  getModel,
  listModels,
  registerModel,
  type ModelAction,
} from './model-store.js';
import { checkOnnxModel } from './onnx-check.js';

/** `POST /api/models`: the one API route whose body is larger than MAX_BODY_BYTES. */
export const MODELS_REGISTER_PATH = /\/models$/;

const versionParam = z.object({ version: modelVersionSchema });
// Standard base64 (RFC 4648 §4), padded: Buffer.from would skip any other character silently.
// With the length a multiple of 4 (checked beside it): a repeated group of 4 would run V8's regular
// expression engine out of stack on a few MB of text (a 500 for a model well under the limit).
const BASE64 = /^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const isBase64 = (text: string) => text.length % 4 === 0 && BASE64.test(text);

/**
 * What `train` writes nests a few levels; `training.params` takes any JSON. Past this depth a
 * value could not be stored (JSON.stringify and Postgres's jsonb parser both run out of stack).
 */
const MAX_METADATA_DEPTH = 32;

/**
 * The first value Postgres's jsonb could not hold, by JSON Pointer with what is wrong: nested
 * deeper than MAX_METADATA_DEPTH, or a string or key with NUL or a lone surrogate (jsonb refuses
 * both: the free-form training.params would otherwise reach the INSERT and fail unnamed).
 */
function unstorable(value: unknown, path: string, depth: number): FieldIssue | null {
  if (typeof value === 'string') {
    return isStorableText(value)
      ? null
      : { path, message: 'must not contain NUL characters or unpaired UTF-16 surrogates' };
  }
  if (value === null || typeof value !== 'object') return null;
  if (depth >= MAX_METADATA_DEPTH) {
    return { path, message: `metadata nests at most ${MAX_METADATA_DEPTH} levels deep` };
  }
  for (const [k, v] of Object.entries(value)) {
    const at = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!isStorableText(k)) {
      return {
        path: at,
        message: 'a key must not contain NUL characters or unpaired UTF-16 surrogates',
      };
    }
    const deeper = unstorable(v, at, depth + 1);
    if (deeper !== null) return deeper;
  }
  return null;
}

/** The metadata as `train` writes it, else a 400 naming each field under `/metadata`. */
async function parseMetadata(input: unknown): Promise<TrainedModelMetadata> {
  const bad = unstorable(input, '/metadata', 0);
  if (bad !== null) throw validationProblem([bad]);
  const r = z.safeParse(trainedModelMetadataSchema, input);
  if (!r.success) {
    throw validationProblem(
      toFieldIssues(r.error.issues).map((i) => ({ ...i, path: `/metadata${i.path}` })),
    );
  }
  if (r.data.version === DEFAULT_MODEL_VERSION) {
    throw validationProblem([
      {
        path: '/metadata/version',
        message: `'${DEFAULT_MODEL_VERSION}' names the edges' deployed model: choose another version`,
      },
    ]);
  }
  // The edges' deployed model serves under its own version: a registry model of that version
  // would be a second model under one name, its thresholds taken for the deployed one's.
  const deployed = await deployedModelVersion();
  if (r.data.version === deployed) {
    throw validationProblem([
      {
        path: '/metadata/version',
        message: `'${deployed}' is the version of the edges' deployed model: choose another version`,
      },
    ]);
  }
  try {
    return parseTrainedModelMetadata(input);
  } catch (e) {
    // Features in another order or count, thresholds out of order, a reference off the features.
    const message = e instanceof Error ? e.message : String(e);
    const path = /feature|reference/.test(message)
      ? '/metadata/feature_names'
      : '/metadata/thresholds';
    throw validationProblem([{ path, message }]);
  }
}

/** The ONNX bytes of a base64 string, else 400 (not base64) or 413 (over the limit) on `/onnx`. */
function decodeOnnx(text: string): Uint8Array {
  // 4 characters carry 3 bytes: refuse by length before decoding anything.
  if (Math.floor(text.length / 4) * 3 - 2 > MAX_MODEL_ONNX_BYTES) {
    throw new ProblemError(
      'payload-too-large',
      `the ONNX file exceeds ${MAX_MODEL_ONNX_BYTES} bytes`,
      {
        errors: [{ path: '/onnx', message: `at most ${MAX_MODEL_ONNX_BYTES} bytes` }],
      },
    );
  }
  if (!isBase64(text)) {
    throw validationProblem([{ path: '/onnx', message: 'onnx must be standard base64 (padded)' }]);
  }
  const bytes = new Uint8Array(Buffer.from(text, 'base64'));
  if (bytes.length > MAX_MODEL_ONNX_BYTES) {
    throw new ProblemError(
      'payload-too-large',
      `the ONNX file exceeds ${MAX_MODEL_ONNX_BYTES} bytes`,
      {
        errors: [{ path: '/onnx', message: `at most ${MAX_MODEL_ONNX_BYTES} bytes` }],
      },
    );
  }
  return bytes;
}

/** GET/POST /models, GET /models/compare, POST /models/:version/{challenge,promote,retire}, PUT …/thresholds. */
export function modelsRoutes(deps: {
  sql: Sql;
  now: () => Date;
  /** The edges' deployed model (`default`); default: edge/model/'s metadata. */
  deployedModel?: () => Promise<DeployedModel | null>;
  /** The comparison's reads: the backtest's pool, timeout and limit (heavy-reads.ts). */
  compare: {
    readonly sql: Sql;
    readonly timeoutMs: number;
    readonly pageRows?: number;
    readonly limit: OneReadPerAnalyst;
  };
}): Hono<ApiEnv> {
  const { sql, now, compare } = deps;
  const deployedOf = deps.deployedModel ?? deployedModel;
  const r = new Hono<ApiEnv>();

  r.get('/models', noQuery, async (c) => {
    const answer: ModelList = {
      items: await listModels(sql),
      default: await defaultModelEntry(sql, await deployedOf()),
    };
    return c.json(answer);
  });

  r.post('/models', noQuery, async (c) => {
    const body = parseWith(
      registerModelRequestSchema,
      await readJsonBody(c, MAX_MODEL_REGISTER_BODY),
    );
    const metadata = await parseMetadata(body.metadata);
    const onnx = decodeOnnx(body.onnx);
    const issues = await checkOnnxModel(onnx);
    if (issues.length > 0) throw validationProblem(issues);
    const sha256 = createHash('sha256').update(onnx).digest('hex');
    const actor = c.get('principal').subject;
    const done = await registerModel(sql, { metadata, onnx, sha256 }, actor, now());
    const answer: RegisterModelAnswer = { version: done.model.version, status: done.model.status };
    return c.json(answer, done.created ? 201 : 200);
  });

  r.get('/models/compare', async (c) => {
    const q = parseQuery(c, modelCompareQuerySchema);
    const window = previewWindow(q, now());
    // A long read over the stored decisions, bounded as the backtest and the preview: their
    // pool and its statement timeout, its clock between pages, one at a time per analyst.
    const read = { what: 'comparison', timeoutMs: compare.timeoutMs, signal: c.req.raw.signal };
    const answer = await compare.limit.run(c.get('principal').subject, read, (betweenPages) =>
      compareModels(compare.sql, q.champion, q.challenger, window, compare.pageRows, betweenPages),
    );
    return c.json(answer);
  });

  const lifecycle = (action: ModelAction) =>
    r.post(`/models/:version/${action}`, noQuery, async (c) => {
      const { version } = parseWith(versionParam, pathParams(c));
      // No body is read: the route and the version say everything.
      const actor = c.get('principal').subject;
      return c.json(await changeModel(sql, version, action, actor, now(), await deployedOf()));
    });
  lifecycle('challenge');
  lifecycle('promote');
  lifecycle('retire');

  r.put('/models/:version/thresholds', noQuery, async (c) => {
    const { version } = parseWith(versionParam, pathParams(c));
    const t = await parseBody(c, modelThresholdsRequestSchema);
    const actor = c.get('principal').subject;
    if (version === DEFAULT_MODEL_VERSION) {
      // An alias, as for promote: the deployed model's thresholds are those set for its own
      // version (what its decisions carry), in the one table, audited as PUT /thresholds/{it}.
      const deployed = await deployedOf();
      if (!deployed) {
        throw new ProblemError(
          'not-found',
          "this backplane has no copy of the edges' deployed model (edge/model/vigil-model.json): set its thresholds with PUT /api/thresholds/{model_version}, the version GET /v1/model names",
        );
      }
      await setThresholds(sql, deployed.version, t, actor, now());
      return c.json(await defaultModelEntry(sql, deployed));
    }
    if (!(await getModel(sql, version))) {
      throw new ProblemError('not-found', `no model ${version} is registered`);
    }
    // The thresholds table of PUT /thresholds/{model_version}: one place, one audit action.
    await setThresholds(sql, version, t, actor, now());
    return c.json(await getModel(sql, version));
  });

  return r;
}
