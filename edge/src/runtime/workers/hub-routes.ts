/**
 * The Worker's LiveHub routes, answered before (and without) the scoring app, so a hub-only
 * service never loads the model:
 *
 * - `GET /v1/live` (WebSocket upgrade; `?after=SEQ` to resume) → authenticated here
 *   (live-auth.ts), then handed to the one LiveHub (`idFromName('global')`), which answers 101.
 * - `POST /internal/hub/publish` with `Authorization: Bearer <VIGIL_HUB_SECRET>` (compared in
 *   constant time) and core's HubPublishRequest → the hub's HubPublishResponse. 404 while
 *   VIGIL_HUB_SECRET is unset: no secret, no route.
 *
 * Failures are the app's problem+json.
 */
import { constantTimeEqual, type HmacSha256, HUB_PUBLISH_PATH, LIVE_PATH } from '@vigil/core';
import { consoleLogger } from '../../app/create-app.js';
import { checkQuery } from '../../app/query-guard.js';
import {
  problemBody,
  problemResponse,
  ProblemError,
  validationProblem,
} from '../../app/problem.js';
import type { EdgeConfig } from '../../config/index.js';
import type { Env } from './env.js';
import { liveAuthenticator } from './live-auth.js';
import { SUBJECT_HEADER } from './live-hub.js';
import { MAX_PUBLISH_BYTES, validatePublish } from './hub-publish.js';

/** The hub's one instance. */
export const HUB_NAME = 'global';

type HubConfig = Pick<
  EdgeConfig,
  'apiKeys' | 'analystKeys' | 'sessionSecret' | 'hubSecret' | 'corsOrigins'
>;

/** The handler for hub paths, built once per isolate. */
export function hubRoutes(config: HubConfig, hmac: HmacSha256) {
  const authenticate = liveAuthenticator({
    keys: config.analystKeys.length > 0 ? config.analystKeys : config.apiKeys,
    sessionSecret: config.sessionSecret,
    corsOrigins: config.corsOrigins,
    hmac,
  });

  async function live(request: Request, env: Env): Promise<Response> {
    if (request.method !== 'GET') throw notFound(request);
    const subject = await authenticate(request);
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      throw new ProblemError('upgrade-required', 'GET /v1/live is a WebSocket: send Upgrade', {
        headers: { upgrade: 'websocket' },
      });
    }
    const after = new URL(request.url).searchParams.get('after');
    if (after !== null && !/^\d{1,15}$/.test(after)) {
      throw validationProblem([
        { path: '/after', message: 'after must be a sequence number (a non-negative integer)' },
      ]);
    }
    const headers = new Headers(request.headers);
    headers.set(SUBJECT_HEADER, subject);
    return hubStub(env).fetch(new Request(request, { headers }));
  }

  async function publish(request: Request, env: Env): Promise<Response> {
    const secret = config.hubSecret;
    if (secret === null || request.method !== 'POST') throw notFound(request);
    const m = /^Bearer +(\S+) *$/i.exec(request.headers.get('authorization') ?? '');
    if (!m || !constantTimeEqual(m[1]!, secret)) {
      throw new ProblemError('unauthorized', 'send Authorization: Bearer <VIGIL_HUB_SECRET>');
    }
    const declared = Number(request.headers.get('content-length') ?? '0');
    if (declared > MAX_PUBLISH_BYTES) {
      throw new ProblemError('payload-too-large', `the body exceeds ${MAX_PUBLISH_BYTES} bytes`);
    }
    const text = await request.text();
    if (text.length > MAX_PUBLISH_BYTES) {
      throw new ProblemError('payload-too-large', `the body exceeds ${MAX_PUBLISH_BYTES} bytes`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ProblemError('malformed-json', 'the body is not JSON');
    }
    const v = validatePublish(body);
    if (!v.ok) throw validationProblem(v.issues);
    const result = await hubStub(env).publish(v.value);
    return new Response(JSON.stringify(result), {
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    });
  }

  return async (request: Request, env: Env): Promise<Response> => {
    const path = new URL(request.url).pathname;
    try {
      if (!env.LIVE_HUB) throw new Error('the LIVE_HUB Durable Object binding is missing');
      checkQuery(request.url);
      if (path === LIVE_PATH) return await live(request, env);
      if (path === HUB_PUBLISH_PATH) return await publish(request, env);
      throw notFound(request);
    } catch (error) {
      if (error instanceof ProblemError) return problemResponse(error.body(), { ...error.headers });
      const id = crypto.randomUUID();
      consoleLogger({ level: 'error', msg: 'live hub route failed', id, path, error });
      return problemResponse(
        problemBody(
          'internal',
          'the hub could not answer; the Worker log has the cause',
          undefined,
          `urn:uuid:${id}`,
        ),
      );
    }
  };
}

function hubStub(env: Env) {
  const ns = env.LIVE_HUB!;
  return ns.get(ns.idFromName(HUB_NAME));
}

function notFound(request: Request): ProblemError {
  return new ProblemError(
    'not-found',
    `no route for ${request.method} ${new URL(request.url).pathname}`,
  );
}
