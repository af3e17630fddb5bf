/**
 * The Cloudflare Worker: Vigil's edge on workerd. The app is built once per isolate, on the first
 * request (bindings come with requests; nothing reads them at import), and reused by every
 * request the isolate serves. Work that may outlive a response is handed to `ctx.waitUntil`: the
 * app does so for answer saves; this file for the Upstash store's buffered answers.
 */
import { consoleLogger } from '../../app/index.js';
import { problemBody, problemResponse } from '../../app/problem.js';
import {
  DEFAULT_IDLE_FLUSH_MS,
  type RemoteFeatureStore,
} from '../../stores/redis-feature-store.js';
import { createWorkerApp, type WorkerApp } from './create-worker-app.js';
import type { Env } from './env.js';

let built: Promise<WorkerApp> | undefined;
let flushing: Promise<void> | undefined;

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

export default {
  async fetch(request, env, ctx) {
    let worker: WorkerApp;
    try {
      worker = await appFor(env);
    } catch (error) {
      const id = crypto.randomUUID();
      consoleLogger({ level: 'error', msg: 'edge start-up failed', id, error });
      const detail = 'the edge could not start; the Worker log has the cause';
      return problemResponse(problemBody('internal', detail, undefined, `urn:uuid:${id}`));
    }
    const response = await worker.app.fetch(request, env, ctx);
    if (worker.remote && worker.remote.bufferedAnswers > 0) {
      ctx.waitUntil(flushLater(worker.remote));
    }
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
