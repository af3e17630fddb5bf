/**
 * The Cloudflare Worker: Vigil's edge on workerd. The app is built once per isolate, on the first
 * request (bindings come with requests; nothing reads them at import), and reused by every
 * request the isolate serves. Work that may outlive a response is handed to `ctx.waitUntil`: the
 * app does so for answer saves and event delivery; this file for the Upstash store's buffered
 * answers. The LiveHub's routes (`/v1/live`, `/internal/hub/*`) are answered first, without the
 * scoring app; with VIGIL_HUB_ONLY=1 they are all the Worker answers. With a backplane, events the
 * Worker cannot deliver at once wait in the EventOutbox Durable Object (event-outbox.ts); each
 * isolate checks once that what it holds is scheduled, and /metrics carries its numbers.
 */
import { isHubPath } from '@vigil/core';
import { consoleLogger } from '../../app/index.js';
import { problemBody, problemResponse } from '../../app/problem.js';
import { loadConfig } from '../../config/index.js';
import { createWebCryptoHmac } from '../../events/web-crypto-hmac.js';
import {
  DEFAULT_IDLE_FLUSH_MS,
  type RemoteFeatureStore,
} from '../../stores/redis-feature-store.js';
import { createWorkerApp, stringBindings, type WorkerApp } from './create-worker-app.js';
import type { Env } from './env.js';
import { hubRoutes } from './hub-routes.js';

export { EventOutbox } from './event-outbox.js';
export { FeatureState } from './feature-state.js';
export { LiveHub } from './live-hub.js';

let built: Promise<WorkerApp> | undefined;
let flushing: Promise<void> | undefined;
let hub: ReturnType<typeof hubRoutes> | undefined;
let outboxChecked = false;
let warming = false;

/** The isolate's hub routes, built on first use (synchronously: a bad binding throws each time). */
function hubFor(env: Env): ReturnType<typeof hubRoutes> {
  hub ??= hubRoutes(loadConfig(stringBindings(env)), createWebCryptoHmac());
  return hub;
}

/** A problem+json 500 for a start-up failure, logged with an id. */
function startupFailed(error: unknown, what: string): Response {
  const id = crypto.randomUUID();
  consoleLogger({ level: 'error', msg: `${what} start-up failed`, id, error });
  const detail = `the ${what} could not start; the Worker log has the cause`;
  return problemResponse(problemBody('internal', detail, undefined, `urn:uuid:${id}`));
}

/**
 * The isolate's app, built on first use. A failed build is retried by the next request (a bad
 * binding stays bad, but the error is logged each time; if it was ORT's initialisation that
 * failed, ORT refuses to try again in this isolate and says so).
 */
function appFor(env: Env): Promise<WorkerApp> {
  built ??= createWorkerApp(env).catch((error: unknown) => {
    built = undefined;
    throw error;
  });
  return built;
}

/**
 * Answers saved to a remote store wait in the isolate to ride along with the next call (one
 * round trip per transaction). An idle isolate may be evicted at any moment, so after a response
 * that left answers buffered, keep the isolate alive until they are sent: after the store's idle
 * interval, so that under load they still piggyback on the next request's call instead.
 */
function flushLater(store: RemoteFeatureStore): Promise<void> {
  flushing ??= new Promise((resolve) => setTimeout(resolve, DEFAULT_IDLE_FLUSH_MS))
    .then(() => store.flush())
    .catch((error: unknown) => {
      // The store keeps failed answers for its next call; nothing more to do here.
      consoleLogger({ level: 'warn', msg: 'feature store: answer flush failed', error });
    })
    .finally(() => {
      flushing = undefined;
    });
  return flushing;
}

/** The response to a request: the hub's routes, or the scoring app (built on first use). */
async function route(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (isHubPath(path)) {
    let routes: ReturnType<typeof hubRoutes>;
    try {
      routes = hubFor(env);
    } catch (error) {
      return startupFailed(error, 'hub');
    }
    return routes(request, env);
  }
  if (env.VIGIL_HUB_ONLY === '1') {
    return problemResponse(
      problemBody('not-found', `no route for ${request.method} ${path} (a hub-only Worker)`),
    );
  }
  let worker: WorkerApp;
  try {
    worker = await appFor(env);
  } catch (error) {
    return startupFailed(error, 'edge');
  }
  if (worker.outbox && !outboxChecked) {
    // Alarms are durable, but one that failed too often is gone: an isolate's start re-arms it.
    outboxChecked = true;
    ctx.waitUntil(worker.outbox.ensureScheduled());
  }
  const response = await worker.app.fetch(request, env, ctx);
  if (!warming) {
    // The deployed model's ORT session is built after the isolate's first response is made, under
    // that request's waitUntil; core's tree walk answers until it is ready. After a timer, not at
    // once: the build's first ~0.4 s (ORT's Wasm instantiation and start) never yields to I/O,
    // and started in this turn it held the response's bytes until it was done (measured: the
    // first answer took as long as the session, bench/cold-start.ts).
    warming = true;
    ctx.waitUntil(new Promise((resolve) => setTimeout(resolve, 0)).then(() => worker.warm()));
  }
  if (worker.remote && worker.remote.bufferedAnswers > 0) {
    ctx.waitUntil(flushLater(worker.remote));
  }
  if (worker.outbox && path === '/metrics' && request.method === 'GET' && response.ok) {
    // The app authenticated the scrape; the outbox's numbers are global, fetched only now.
    return worker.outbox.withMetrics(response);
  }
  return response;
}

export default {
  async fetch(request, env, ctx) {
    const response = await route(request, env, ctx);
    // workerd drops a keep-alive connection whose request body was left unread (a 401 or 404
    // answered before the body was looked at), and a client that reuses it fails its next
    // request. Reading the rest after the response keeps the connection usable.
    const body = request.body;
    if (body && !request.bodyUsed && !body.locked) {
      ctx.waitUntil(body.pipeTo(new WritableStream()).catch(() => {}));
    }
    return response;
  },
} satisfies ExportedHandler<Env>;
