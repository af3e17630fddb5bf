/**
 * The model registry against a freshly migrated database: run on PGlite (models.test.ts) and on
 * PostgreSQL 15 (backplane/test/models.test.ts). Registration good and bad, the lifecycle with
 * its audit rows, thresholds through both routes landing in the one table, the edges' sync and
 * the signed artifact route, and the comparison checked against a plain computation written here.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  MAX_MODEL_ONNX_BYTES,
  modelArtifactPath,
  modelArtifactSchema,
  modelMetadataSchema,
  RULES_SYNC_PATH,
  rulesSyncAnswerSchema,
  signBody,
  type ModelList,
  type ModelMetadata,
  type RegisteredModel,
  type RulesSyncAnswer,
  type Thresholds,
  type ThresholdsSetting,
} from '@vigil/core';
import type { Hono } from 'hono';
import type { Sql } from 'postgres';
import { expect } from 'vitest';
import * as z from 'zod/mini';
import { nodeHmacSha256 } from '../../http/node-hmac.js';
import { rulesSyncApp, SYNC_SECRET } from '../../rules-sync/rules-sync.suite.js';
import { signedHeaders } from '../../testing/fixtures.js';
import { apiHarness, callApi as call, type ApiAnswer } from '../test-support.js';
import { narrowOnnx, otherBytes, registerBody, trainedTestModel } from './model-fixtures.js';

const paths = (a: ApiAnswer) =>
  (a.body.errors as { path: string }[] | undefined)?.map((e) => e.path);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function checkRegistration(root: Hono, run: string): Promise<void> {
  const { onnx, metadata } = await trainedTestModel(`${run}-reg`);
  const created = await call(root, 'POST', '/api/models', registerBody(onnx, metadata));
  expect(created).toEqual({ status: 201, body: { version: `${run}-reg`, status: 'candidate' } });
  // The same bytes again: nothing changes, 200.
  const again = await call(root, 'POST', '/api/models', registerBody(onnx, metadata));
  expect(again).toEqual({ status: 200, body: { version: `${run}-reg`, status: 'candidate' } });
  const clash = await call(
    root,
    'POST',
    '/api/models',
    registerBody(otherBytes(onnx, 'x'), metadata),
  );
  expect(clash.status).toBe(409);
  expect(paths(clash)).toEqual(['/metadata/version']);

  const bad = async (body: unknown, status: number, expected: string[]) => {
    const a = await call(root, 'POST', '/api/models', body);
    expect(a.status, JSON.stringify(a.body)).toBe(status);
    expect(paths(a)).toEqual(expected);
  };
  const fresh = { ...metadata, version: `${run}-bad` };
  await bad({ onnx: 'AAAA' }, 400, ['/metadata']);
  await bad({ ...registerBody(onnx, fresh), more: 1 }, 400, ['/more']);
  await bad({ metadata: fresh, onnx: 'not base64!' }, 400, ['/onnx']);
  await bad(registerBody(Uint8Array.of(1, 2, 3, 4, 5, 6), fresh), 400, ['/onnx']);
  await bad(registerBody(await narrowOnnx(), fresh), 400, ['/onnx']);
  const { test_window: _gone, ...training } = metadata.training;
  await bad(registerBody(onnx, { ...fresh, training }), 400, ['/metadata/training/test_window']);
  // A field the metadata does not know is refused by its pointer, at any level, never dropped:
  // training.params is the one free-form place (the trainer's parameters).
  await bad(registerBody(onnx, { ...fresh, notes: 'ours' }), 400, ['/metadata/notes']);
  await bad(
    registerBody(onnx, { ...fresh, training: { ...fresh.training, label_delay_day: 3 } }),
    400,
    ['/metadata/training/label_delay_day'],
  );
  const test = { ...fresh.metrics.test, f1: 0.5 };
  await bad(registerBody(onnx, { ...fresh, metrics: { ...fresh.metrics, test } }), 400, [
    '/metadata/metrics/test/f1',
  ]);
  const swapped = [...metadata.feature_names].reverse();
  await bad(registerBody(onnx, { ...fresh, feature_names: swapped }), 400, [
    '/metadata/feature_names',
  ]);
  await bad(registerBody(onnx, { ...fresh, thresholds: { review: 0.9, decline: 0.1 } }), 400, [
    '/metadata/thresholds',
  ]);
  // 'default' names the edges' deployed model in the routes: no registered model may take it.
  await bad(registerBody(onnx, { ...fresh, version: 'default' }), 400, ['/metadata/version']);
  // Nor the deployed model's own version (edge/model/): a second model under its name would have
  // its thresholds taken for the deployed one's in GET /api/thresholds, the preview and backtest.
  const deployedFile = new URL('../../../../edge/model/vigil-model.json', import.meta.url);
  const deployed = (JSON.parse(await readFile(deployedFile, 'utf8')) as { version: string })
    .version;
  await bad(registerBody(onnx, { ...fresh, version: deployed }), 400, ['/metadata/version']);
  // '.' and '..' are no URL path segment (clients and servers resolve them away): such a model
  // could never be challenged, promoted, retired or fetched by an edge.
  for (const version of ['.', '..']) {
    await bad(registerBody(onnx, { ...fresh, version }), 400, ['/metadata/version']);
  }
  // training.params takes any JSON, but not nested past what JSON.stringify and jsonb can hold
  // (the body is spelled out: JSON.stringify itself could not write it).
  const params = { d: 'DEEP' };
  const deepBody = JSON.stringify(
    registerBody(onnx, { ...fresh, training: { ...fresh.training, params } }),
  ).replace('"DEEP"', '['.repeat(5000) + ']'.repeat(5000));
  const deep = await call(root, 'POST', '/api/models', deepBody);
  expect(deep.status, JSON.stringify(deep.body)).toBe(400);
  expect(paths(deep)?.[0]).toMatch(/^\/metadata\/training\/params\/d(\/0)+$/);
  // Nor text jsonb refuses — NUL, a lone surrogate, in a value or a key: 400 naming it, not an
  // unnamed 'outside what the database can hold' from the INSERT.
  for (const [params, pointer] of [
    [{ note: 'a\u0000b' }, '/metadata/training/params/note'],
    [{ note: ['ok', '\ud800'] }, '/metadata/training/params/note/1'],
    [{ 'k\u0000': 1 }, '/metadata/training/params/k\u0000'],
  ] as const) {
    await bad(registerBody(onnx, { ...fresh, training: { ...fresh.training, params } }), 400, [
      pointer,
    ]);
  }
  // Thresholds are probabilities: a negative review (everything reviewed) or a decline past 1.
  await bad(registerBody(onnx, { ...fresh, thresholds: { review: -0.5, decline: 0.1 } }), 400, [
    '/metadata/thresholds/review',
  ]);
  await bad(registerBody(onnx, { ...fresh, thresholds: { review: 0.1, decline: 1.5 } }), 400, [
    '/metadata/thresholds/decline',
  ]);
  await bad(registerBody(new Uint8Array(MAX_MODEL_ONNX_BYTES + 3), fresh), 413, ['/onnx']);
  // A large file within the limit is checked as a small one: not a 500 from the base64 check
  // (a regular expression that ran out of stack on a few MB of text).
  await bad(registerBody(new Uint8Array(MAX_MODEL_ONNX_BYTES - 4096).fill(8), fresh), 400, [
    '/onnx',
  ]);
  // None of the refused versions was stored.
  const list = await call(root, 'GET', '/api/models');
  const versions = (list.body.items as RegisteredModel[]).map((m) => m.version);
  expect(versions).toContain(`${run}-reg`);
  expect(versions).not.toContain(`${run}-bad`);
}

/** Register three models with distinct bytes; answers their digests by version. */
async function registerThree(root: Hono, run: string): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  for (const v of ['a', 'b', 'c']) {
    const { onnx, metadata } = await trainedTestModel(`${run}-${v}`);
    const bytes = otherBytes(onnx, v);
    const r = await call(root, 'POST', '/api/models', registerBody(bytes, metadata));
    expect(r.status).toBe(201);
    digests.set(`${run}-${v}`, sha(bytes));
  }
  return digests;
}

async function statuses(root: Hono, run: string): Promise<Record<string, string>> {
  const list = await call(root, 'GET', '/api/models');
  expect(list.status).toBe(200);
  const out: Record<string, string> = {};
  for (const m of list.body.items as RegisteredModel[]) {
    if (!m.version.startsWith(`${run}-`) || m.version.endsWith('-reg')) continue;
    out[m.version.slice(run.length + 1)] = m.status + (m.previous_champion ? '*' : '');
  }
  return out;
}

async function checkLifecycle(root: Hono, sql: Sql, run: string): Promise<void> {
  const act = (v: string, action: string) =>
    call(root, 'POST', `/api/models/${run}-${v}/${action}`);
  expect((await act('b', 'challenge')).status).toBe(200);
  expect((await act('c', 'challenge')).body.status).toBe('challenger');
  expect(await statuses(root, run)).toEqual({ a: 'candidate', b: 'candidate', c: 'challenger' });
  await act('a', 'promote');
  // The challenger becomes champion; the champion it replaces is the one to roll back to.
  const promoted = await act('c', 'promote');
  expect(promoted.body.status).toBe('champion');
  expect(await statuses(root, run)).toEqual({ a: 'candidate*', b: 'candidate', c: 'champion' });
  // Roll back = promote the previous one; twice is once.
  await act('a', 'promote');
  expect((await act('a', 'promote')).status).toBe(200);
  expect(await statuses(root, run)).toEqual({ a: 'champion', b: 'candidate', c: 'candidate*' });

  const refused = await act('a', 'retire');
  expect(refused.status).toBe(409);
  expect(refused.body.type).toBe('urn:vigil:problem:model-status');
  expect((await act('a', 'challenge')).status).toBe(409);
  expect((await act('zz', 'promote')).status).toBe(404);
  expect((await act('c', 'retire')).body.status).toBe('retired');
  expect(await statuses(root, run)).toEqual({ a: 'champion', b: 'candidate', c: 'retired' });

  const registered = await sql<{ target: string; after: { status: string; sha256: string } }[]>`
    SELECT target, after FROM audit_log WHERE action = 'model.register' AND target LIKE ${`model:${run}-%`}
    ORDER BY id`;
  expect(registered.map((r) => [r.target, r.after.status])).toEqual([
    [`model:${run}-reg`, 'candidate'],
    [`model:${run}-a`, 'candidate'],
    [`model:${run}-b`, 'candidate'],
    [`model:${run}-c`, 'candidate'],
  ]);
  // Every change has its audit row, in order, with before and after.
  const audit = await sql<{ action: string; target: string; after: { status: string } }[]>`
    SELECT action, target, after FROM audit_log
    WHERE target LIKE ${`model:${run}-%`} AND target NOT LIKE '%-reg' AND action <> 'model.register'
    ORDER BY id`;
  expect(
    audit.map((r) => `${r.action} ${r.target.slice(run.length + 7)} ${r.after.status}`),
  ).toEqual([
    'model.challenge b challenger',
    'model.unchallenge b candidate',
    'model.challenge c challenger',
    'model.promote a champion',
    'model.demote a candidate',
    'model.promote c champion',
    'model.demote c candidate',
    'model.promote a champion',
    'model.retire c retired',
  ]);
}

async function checkThresholds(root: Hono, run: string): Promise<void> {
  const path = `/api/models/${run}-b/thresholds`;
  const set = await call(root, 'PUT', path, { review: 0.3, decline: 0.8 });
  expect(set.status).toBe(200);
  expect(set.body).toMatchObject({
    thresholds: { review: 0.3, decline: 0.8 },
    thresholds_set: true,
  });
  // The one table: GET /api/thresholds lists it, and PUT /api/thresholds changes what models show.
  const listed = await call(root, 'GET', '/api/thresholds');
  expect(listed.body.items).toContainEqual(
    expect.objectContaining({ model_version: `${run}-b`, review: 0.3, decline: 0.8 }),
  );
  await call(root, 'PUT', `/api/thresholds/${run}-b`, { review: 0.4, decline: 0.7 });
  const models = (await call(root, 'GET', '/api/models')).body.items as RegisteredModel[];
  expect(models.find((m) => m.version === `${run}-b`)?.thresholds).toEqual({
    review: 0.4,
    decline: 0.7,
  });
  // Unset: the metadata's own.
  const own = models.find((m) => m.version === `${run}-a`)!;
  expect(own.thresholds_set).toBe(false);
  expect(own.thresholds).toEqual((await trainedTestModel('x')).metadata.thresholds);
  const bad = await call(root, 'PUT', path, { review: 0.9, decline: 0.1 });
  expect(bad.status).toBe(400);
  expect(paths(bad)).toEqual(['/decline']);
  expect(
    (await call(root, 'PUT', `/api/models/${run}-zz/thresholds`, { review: 0.1, decline: 0.2 }))
      .status,
  ).toBe(404);
}

async function checkSyncAndArtifacts(
  root: Hono,
  sql: Sql,
  run: string,
  digests: Map<string, string>,
): Promise<void> {
  const app = rulesSyncApp(sql);
  const sync = async (body: unknown) => {
    const text = JSON.stringify(body);
    const res = await app.request(RULES_SYNC_PATH, {
      method: 'POST',
      body: text,
      headers: await signedHeaders(SYNC_SECRET, text),
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as RulesSyncAnswer;
    expect(z.safeParse(rulesSyncAnswerSchema, answer).success).toBe(true);
    return answer;
  };
  const old = await sync({ ruleset_version: 0, cursor: null });
  expect('models' in old).toBe(false);
  const now = await sync({
    ruleset_version: 0,
    cursor: null,
    models: { champion: null, challenger: null },
  });
  expect(now.models).toEqual({
    champion: { version: `${run}-a`, sha256: digests.get(`${run}-a`) },
    challenger: null,
    // a's thresholds are its metadata's own (none set): absent.
    thresholds: {},
  });
  // The thresholds set for every version the answer or the edge names come in the same answer
  // (b's were set in checkThresholds); the champion's too, once set.
  await call(root, 'PUT', `/api/thresholds/${run}-a`, { review: 0.03, decline: 0.22 });
  const named = await sync({
    ruleset_version: 0,
    cursor: null,
    model: { version: `${run}-c`, thresholds: { review: 0.5, decline: 0.9 } },
    models: { champion: null, challenger: null, deployed: `${run}-b` },
  });
  expect(named.models?.thresholds).toEqual({
    [`${run}-a`]: { review: 0.03, decline: 0.22 },
    [`${run}-b`]: { review: 0.4, decline: 0.7 },
  });

  const get = async (version: string, sign: boolean) => {
    const path = modelArtifactPath(version);
    const headers = sign ? await signedHeaders(SYNC_SECRET, path) : {};
    return app.request(path, { headers });
  };
  const res = await get(`${run}-a`, true);
  expect(res.status).toBe(200);
  const artifact = z.parse(modelArtifactSchema, await res.json());
  const bytes = new Uint8Array(Buffer.from(artifact.onnx, 'base64'));
  expect(sha(bytes)).toBe(digests.get(`${run}-a`));
  expect(artifact.sha256).toBe(sha(bytes));
  expect(artifact.metadata.version).toBe(`${run}-a`);
  expect((await get(`${run}-a`, false)).status).toBe(401);
  // A signature is for one path: another model's path does not carry it.
  const stolen = await app.request(modelArtifactPath(`${run}-b`), {
    headers: {
      'x-vigil-signature': await signBody(
        nodeHmacSha256,
        SYNC_SECRET,
        modelArtifactPath(`${run}-a`),
        Date.now() / 1000,
      ),
    },
  });
  expect(stolen.status).toBe(401);
  expect((await get(`${run}-nope`, true)).status).toBe(404);
}

/**
 * The committed default model as a registry entry: promoting it takes the champion out of
 * service (the sync says `champion: null`, on which every edge serves its deployed model),
 * audited, and leaves that champion as the roll-back target. Runs after the lifecycle: `a` is
 * the champion.
 */
async function checkDefaultModel(root: Hono, sql: Sql, run: string): Promise<void> {
  const app = rulesSyncApp(sql);
  const synced = async () => {
    const text = JSON.stringify({
      ruleset_version: 0,
      cursor: null,
      models: { champion: null, challenger: null },
    });
    const res = await app.request(RULES_SYNC_PATH, {
      method: 'POST',
      body: text,
      headers: await signedHeaders(SYNC_SECRET, text),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as RulesSyncAnswer).models;
  };
  const listedDefault = async () => (await call(root, 'GET', '/api/models')).body.default;
  const deployed = await deployedMetadata();
  const entry = (status: string, previous: boolean) => ({
    version: 'default',
    status,
    previous_champion: previous,
    model_version: deployed.version,
    thresholds: deployed.thresholds,
    thresholds_set: false,
    // What the Models page shows of it, as edge/model/'s metadata has it.
    training_window: deployed.training.train_window,
    validation_window: deployed.training.validation_window,
    metrics: deployed.metrics,
  });
  expect((await synced())?.champion?.version).toBe(`${run}-a`);
  // c, the champion a replaced last, is retired: the default is the one to roll back to.
  expect(await listedDefault()).toEqual(entry('candidate', true));

  const promoted = await call(root, 'POST', '/api/models/default/promote');
  expect(promoted).toEqual({ status: 200, body: entry('champion', false) });
  expect((await synced())?.champion).toBeNull();
  expect(await listedDefault()).toEqual(entry('champion', false));
  // The champion it replaced is the one to roll back to.
  expect(await statuses(root, run)).toEqual({ a: 'candidate*', b: 'candidate', c: 'retired' });
  const audit = async () =>
    (
      await sql<{ action: string; target: string; after: { status: string } }[]>`
        SELECT action, target, after FROM audit_log
        WHERE target IN (${`model:${run}-a`}, ${`model:${run}-b`}, 'model:default') ORDER BY id`
    ).map((r) => `${r.action} ${r.target.replace(`${run}-`, '')} ${r.after.status}`);
  expect((await audit()).slice(-2)).toEqual([
    'model.demote model:a candidate',
    'model.promote model:default champion',
  ]);
  // Promoting what is served changes nothing; it is never challenged or retired.
  const before = await audit();
  expect((await call(root, 'POST', '/api/models/default/promote')).status).toBe(200);
  expect(await audit()).toEqual(before);
  for (const action of ['challenge', 'retire']) {
    const refused = await call(root, 'POST', `/api/models/default/${action}`);
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('urn:vigil:problem:model-status');
  }
  // Promoting b over the default: the default, not a, is now the one to roll back to.
  expect((await call(root, 'POST', `/api/models/${run}-b/promote`)).body.status).toBe('champion');
  expect(await statuses(root, run)).toEqual({ a: 'candidate', b: 'champion', c: 'retired' });
  expect(await listedDefault()).toEqual(entry('candidate', true));
  expect((await audit()).slice(-2)).toEqual([
    'model.unmark model:a candidate',
    'model.promote model:b champion',
  ]);
  // Roll back to the default, then to a registry model again.
  await call(root, 'POST', '/api/models/default/promote');
  expect(await statuses(root, run)).toEqual({ a: 'candidate', b: 'candidate*', c: 'retired' });
  expect((await call(root, 'POST', `/api/models/${run}-a/promote`)).body.status).toBe('champion');
  expect((await synced())?.champion?.version).toBe(`${run}-a`);
  expect(await statuses(root, run)).toEqual({ a: 'champion', b: 'candidate', c: 'retired' });
  expect(await listedDefault()).toEqual(entry('candidate', true));
  await checkDefaultThresholds(root, sql, deployed);
}

/** edge/model/'s metadata, read here as the edge reads it: the deployed model's own version. */
async function deployedMetadata(): Promise<ModelMetadata> {
  const file = new URL('../../../../edge/model/vigil-model.json', import.meta.url);
  return z.parse(modelMetadataSchema, JSON.parse(await readFile(file, 'utf8')));
}

/**
 * `PUT /api/models/default/thresholds` is an alias: the thresholds land on the deployed model's
 * own version in the one table (what PUT /api/thresholds/{it} sets, audited the same), and the
 * listing's default shows them.
 */
async function checkDefaultThresholds(
  root: Hono,
  sql: Sql,
  deployed: { version: string; thresholds: Thresholds },
): Promise<void> {
  const t = { review: 0.11, decline: 0.77 };
  const set = await call(root, 'PUT', '/api/models/default/thresholds', t);
  expect(set.status).toBe(200);
  expect(set.body).toMatchObject({
    version: 'default',
    model_version: deployed.version,
    thresholds: t,
    thresholds_set: true,
  });
  expect((await call(root, 'GET', '/api/models')).body.default).toEqual(set.body);
  const listed = (await call(root, 'GET', '/api/thresholds')).body.items as ThresholdsSetting[];
  expect(listed.find((i) => i.model_version === deployed.version)).toMatchObject(t);
  const [audit] = await sql<{ action: string; target: string; after: Thresholds }[]>`
    SELECT action, target, after FROM audit_log WHERE target = ${`thresholds:${deployed.version}`}
    ORDER BY id DESC LIMIT 1`;
  expect(audit).toEqual({
    action: 'thresholds.set',
    target: `thresholds:${deployed.version}`,
    after: t,
  });
  // Through the thresholds route, the same row: the alias shows what is in force.
  await call(root, 'PUT', `/api/thresholds/${deployed.version}`, { review: 0.12, decline: 0.78 });
  const listed2 = (await call(root, 'GET', '/api/models')).body as unknown as ModelList;
  expect(listed2.default.thresholds).toEqual({ review: 0.12, decline: 0.78 });
  const bad = await call(root, 'PUT', '/api/models/default/thresholds', {
    review: 0.9,
    decline: 0.1,
  });
  expect(bad.status).toBe(400);
  expect(paths(bad)).toEqual(['/decline']);
}

/** Every expectation of the registry on the migrated database `sql`, through `root`. */
export async function checkModelsApi(root: Hono, sql: Sql, run: string): Promise<void> {
  await checkRegistration(root, run);
  const digests = await registerThree(root, run);
  await checkLifecycle(root, sql, run);
  await checkThresholds(root, run);
  await checkSyncAndArtifacts(root, sql, run, digests);
  await checkDefaultModel(root, sql, run);
  await checkWithoutDeployedModel(sql);
}

/**
 * A backplane deployed without edge/model/'s metadata: the default is still listed and promotable,
 * with no version or thresholds to show, and its thresholds route is a 404 that says where to set
 * them instead.
 */
async function checkWithoutDeployedModel(sql: Sql): Promise<void> {
  const { root } = apiHarness(sql, { deployedModel: () => Promise.resolve(null) });
  const listed = (await call(root, 'GET', '/api/models')).body as unknown as ModelList;
  expect(listed.default).toMatchObject({
    version: 'default',
    model_version: null,
    thresholds: null,
    thresholds_set: false,
    training_window: null,
    validation_window: null,
    metrics: null,
  });
  const promoted = await call(root, 'POST', '/api/models/default/promote');
  expect(promoted.status).toBe(200);
  expect(promoted.body).toMatchObject({ status: 'champion', model_version: null });
  const t = { review: 0.2, decline: 0.6 };
  const refused = await call(root, 'PUT', '/api/models/default/thresholds', t);
  expect(refused.status).toBe(404);
  expect(refused.body.type).toBe('urn:vigil:problem:not-found');
  expect(refused.body.detail).toContain('PUT /api/thresholds/{model_version}');
}
