/**
 * The edge on Node (@hono/node-server): `npm run start:edge` — the edge alone, in-memory features
 * unless a Redis is configured, no backplane unless VIGIL_BACKPLANE_URL is set, at
 * 127.0.0.1:$PORT (default 8787). This file is the Node wiring: configuration, model, feature
 * store, event sink (and its outbox on disk), hub forwarding and server are created here and passed
 * down; nothing else in edge/ reads the environment, and the disk only where told to here.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LIVE_PATH, type FeatureStore } from '@vigil/core';
import { consoleLogger, createApp, type Logger } from '../../app/index.js';
import { loadConfig, type EdgeConfig, type Env } from '../../config/index.js';
import { DeliveryMetrics, OutboxEventSink, createWebCryptoHmac } from '../../events/index.js';
import { createEdgeRules } from '../../rules/edge-rules.js';
import { MicroBatchScorer } from '../../scoring/micro-batch-scorer.js';
import { createOrtScorer } from '../../scoring/ort-scorer.js';
import { createEdgeModels } from '../../scoring/served-model.js';
import { createMemoryFeatureStore } from '../../stores/memory-feature-store.js';
import { ChallengerThread } from './challenger-thread.js';
import { LmdbOutboxStore } from './lmdb-outbox-store.js';
import { forwardToHub, forwardUpgrades, type UpgradeForwarder } from './hub-forwarder.js';
import { readModelFiles } from './read-model-files.js';
import { serveNode, stopOnSignals, type NodeServer } from '@vigil/node-runtime';

/** Which feature store the configuration selects, and a line for the banner. */
interface SelectedStore {
  readonly store: FeatureStore;
  readonly description: string;
}

// ─── Feature store selection: the one place where the Redis stores plug in ──────────────────────
/**
 * UPSTASH_REDIS_REST_URL (+ token) → Redis over Upstash REST; REDIS_URL → Redis over TCP; neither
 * → VIGIL_FEATURE_STORE: `durable` → LMDB files in VIGIL_FEATURE_STORE_DIR (what `npm run
 * start:node` sets), else in memory (`npm run start:edge`'s default). Never a silent fallback: a
 * configured store that cannot be reached or opened fails start-up. The Redis and LMDB adapters
 * are imported only when configured, so the in-memory edge loads neither.
 */
async function selectFeatureStore(config: EdgeConfig, log: Logger): Promise<SelectedStore> {
  const onError = (error: unknown) =>
    log({ level: 'warn', msg: 'feature store: background error', error });
  if (config.upstash) {
    const { createUpstashFeatureStore } = await import('../../stores/upstash-feature-store.js');
    return {
      store: createUpstashFeatureStore({
        url: config.upstash.url,
        token: config.upstash.token,
        timeoutMs: config.featureTimeoutMs,
        onError,
      }),
      description: `Redis over Upstash REST at ${new URL(config.upstash.url).origin}`,
    };
  }
  if (config.redisUrl) {
    const { createRedisTcpFeatureStore } = await import('../../stores/redis-tcp-feature-store.js');
    const u = new URL(config.redisUrl);
    return {
      store: await createRedisTcpFeatureStore({
        url: config.redisUrl,
        timeoutMs: config.featureTimeoutMs,
        onError,
      }),
      // Host and port only: the URL may carry a password.
      description: `Redis over TCP at ${u.protocol}//${u.host}`,
    };
  }
  if (config.featureStore === 'durable') {
    const { openLmdbFeatureStore } = await import('./lmdb-feature-store.js');
    const opened = await openLmdbFeatureStore({ dir: resolve(config.featureStoreDir) });
    const { records, skipped } = opened.restored;
    if (skipped > 0) {
      log({
        level: 'warn',
        msg: 'feature store: rows of another layout left out',
        ...opened.restored,
      });
    }
    return {
      store: opened.store,
      description:
        `in memory, kept in LMDB at ${opened.where} (${records} transaction records read back; ` +
        'bounded: 45 days of event time)',
    };
  }
  return {
    store: createMemoryFeatureStore(),
    description: 'in memory (bounded: 45 days of event time; lost on exit)',
  };
}
// ────────────────────────────────────────────────────────────────────────────────────────────────

/** A running Node edge. */
export interface NodeEdge {
  readonly server: NodeServer;
  readonly modelVersion: string;
  readonly storeDescription: string;
  /** Where events go, for the banner. */
  readonly eventsDescription: string;
  /** Where /v1/live and the dashboard come from, for the banner. */
  readonly routesDescription: readonly string[];
  /** The event outbox, when VIGIL_BACKPLANE_URL is set. */
  readonly outbox: OutboxEventSink | null;
  /** The key generated for this run when VIGIL_API_KEYS is unset. */
  readonly generatedKey: string | undefined;
  /**
   * Stop serving (in-flight requests finish, 5 s at most), flush the event outbox (5 s at most;
   * what is left stays in its store on disk), then flush and close the store and release the
   * model.
   */
  close(): Promise<void>;
}

/** A development key: 24 random bytes, base64url (a valid bearer token). */
export function generateDevKey(): string {
  return `vigil_dev_${randomBytes(24).toString('base64url')}`;
}

/** Wire and start the edge on Node from an environment (process.env for `npm run start:edge`). */
export async function startNodeEdge(
  env: Env,
  options: { readonly modelDir?: string; readonly log?: Logger } = {},
): Promise<NodeEdge> {
  const config = loadConfig(env);
  const generatedKey = config.apiKeys.length === 0 ? generateDevKey() : undefined;
  const apiKeys = generatedKey ? [generatedKey] : config.apiKeys;
  const log = options.log ?? consoleLogger;
  // Served from the first request: core's tree walk answers until the ORT session is built, and
  // the registry's champion and challenger are loaded beside it when the rules sync names them.
  // The challenger is scored in a worker thread (started when one is first served), off the
  // thread that answers.
  const challenger = new ChallengerThread({ log });
  const { model, scorer, holder } = createEdgeModels(await readModelFiles(options.modelDir), {
    createSession: async (input) => new MicroBatchScorer(await createOrtScorer(input)),
    ...(config.backplane ? { backplane: config.backplane, hmac: createWebCryptoHmac() } : {}),
    onServe: (models) => challenger.serve(models),
    log,
  });
  const release = () => Promise.all([holder.close(), challenger.close()]).then(() => undefined);
  const { store, description } = await selectFeatureStore(config, log);
  const delivery = new DeliveryMetrics();
  const rules = config.backplane
    ? createEdgeRules({
        backplane: config.backplane,
        hmac: createWebCryptoHmac(),
        store,
        intervalMs: config.rulesSyncMs,
        log,
        models: holder,
      })
    : undefined;
  // The first sync before serving, so the fraud team's rules hold from the first request; a
  // backplane not up yet is retried every interval (and /metrics says vigil_rules_stale 1).
  await rules?.start();
  // The durable outbox (and its lock) only where there are events to deliver.
  let disk: LmdbOutboxStore | undefined;
  if (config.backplane && config.outboxDir !== null) {
    try {
      disk = await LmdbOutboxStore.open(resolve(config.outboxDir), config.outboxSpillMaxBytes);
    } catch (e) {
      rules?.stop();
      await store.close();
      await release();
      throw e;
    }
  }
  const outbox = config.backplane
    ? new OutboxEventSink({
        target: {
          backplaneUrl: config.backplane.url,
          secret: config.backplane.eventsSecret,
          hmac: createWebCryptoHmac(),
        },
        capacity: config.outboxCapacity,
        metrics: delivery,
        log,
        ...(disk ? { store: disk } : {}),
      })
    : null;
  const app = createApp({
    store,
    scorer,
    model,
    config: { ...config, apiKeys },
    runtime: 'node',
    // Without a backplane, events are counted in /metrics and dropped.
    ...(outbox ? { sink: outbox } : {}),
    metricsSources: outbox ? [delivery, challenger] : [challenger],
    ...(rules ? { rules } : {}),
    models: holder,
    challenger,
    log,
  });
  // The LiveHub lives in workerd (see hub-forwarder.ts): the browser's /v1/live is forwarded, so
  // the dashboard keeps one origin. The backplane publishes to the hub directly, not through here.
  const hubUrl = config.hubUrl?.replace(/\/+$/, '');
  let upgrades: UpgradeForwarder | undefined;
  let fetch: (request: Request) => Response | Promise<Response> = app.fetch;
  if (hubUrl !== undefined) {
    upgrades = forwardUpgrades(hubUrl);
    fetch = (request) =>
      new URL(request.url).pathname === LIVE_PATH
        ? forwardToHub(hubUrl, request)
        : app.fetch(request);
  }
  let server: NodeServer;
  try {
    server = await serveNode(fetch, {
      port: config.port,
      host: config.host,
      requestTimeoutMs: config.requestTimeoutMs,
      ...(upgrades ? { onUpgrade: upgrades.listener } : {}),
    });
  } catch (e) {
    rules?.stop();
    await outbox?.close(0);
    await store.close();
    await release();
    throw e;
  }
  return {
    server,
    modelVersion: model.metadata.version,
    storeDescription: description,
    eventsDescription: outbox
      ? `signed batches to ${config.backplane!.url}/ingest/events (outbox ` +
        (disk
          ? `of up to ${config.outboxSpillMaxBytes} bytes in ${disk.where})`
          : `of ${config.outboxCapacity} events in memory only: VIGIL_OUTBOX_DIR=off)`)
      : 'counted in /metrics only (VIGIL_BACKPLANE_URL unset)',
    outbox,
    routesDescription: [
      hubUrl !== undefined
        ? `live      /v1/live forwarded to the LiveHub at ${hubUrl}`
        : 'live      no LiveHub (VIGIL_HUB_URL unset)',
      ...(config.backplane ? [`dashboard / and /api/* forwarded to ${config.backplane.url}`] : []),
    ],
    generatedKey,
    async close() {
      upgrades?.closeAll();
      rules?.stop();
      await server.close();
      // The events waiting on the challenger go out before the outbox closes.
      await challenger.close();
      await outbox?.close();
      await store.close();
      await release();
    },
  };
}

/** A start-up failure in one line; a taken port says which variable moves it. */
export function startError(e: unknown): string {
  const err = e as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };
  // The bind address comes from VIGIL_HOST: an address this machine lacks, or a name that does
  // not resolve, is that variable's fault, not a crash to read a stack trace for.
  if (err?.code === 'EADDRNOTAVAIL') {
    return `VIGIL_HOST ${err.address ?? '?'} is not an address of this machine: set it to one of its addresses (127.0.0.1 for loopback only, 0.0.0.0 for every interface)`;
  }
  if (err?.code === 'ENOTFOUND' || err?.code === 'EAI_AGAIN') {
    return `VIGIL_HOST ${err.hostname ?? '?'} does not resolve: set it to an address of this machine, such as 127.0.0.1`;
  }
  if (err?.code === 'EADDRINUSE' || err?.code === 'EACCES') {
    const where = `${err.address ?? '?'}:${err.port ?? '?'}`;
    return err.code === 'EADDRINUSE'
      ? `port ${err.port ?? '?'} is already in use (${where}): stop what listens there, or set PORT to a free port`
      : `not allowed to listen on ${where}: set PORT to a port above 1023`;
  }
  return e instanceof Error ? e.message : String(e);
}

async function main(): Promise<void> {
  let edge: NodeEdge;
  try {
    edge = await startNodeEdge(process.env);
  } catch (e) {
    console.error(`vigil edge: cannot start: ${startError(e)}`);
    process.exitCode = 1;
    return;
  }
  const { url } = edge.server;
  const lines = [
    `Vigil edge (Node) listening on ${url}`,
    `  model     ${edge.modelVersion}`,
    `  features  ${edge.storeDescription}`,
    `  events    ${edge.eventsDescription}`,
    ...edge.routesDescription.map((line) => `  ${line}`),
    `  docs      ${url}/docs · ${url}/openapi.json · health ${url}/v1/health`,
  ];
  if (edge.generatedKey) {
    lines.push(
      '',
      '  VIGIL_API_KEYS is not set: a development key was generated for this run:',
      '',
      `      Authorization: Bearer ${edge.generatedKey}`,
      '',
      `  curl -H 'Authorization: Bearer ${edge.generatedKey}' -H 'Content-Type: application/json' \\`,
      `    -d '{"transaction_id":"tx_demo_1","timestamp":"2018-08-08T10:12:03Z","customer_id":"c_demo","terminal_id":"t_demo","amount":57.16}' \\`,
      `    ${url}/v1/score`,
    );
  }
  console.log(lines.join('\n'));

  stopOnSignals(() => edge.close(), {
    stopping: (signal) => console.log(`vigil edge: ${signal}, shutting down`),
    again: (signal) => console.error(`vigil edge: ${signal} again, exiting now`),
    failed: (e) => console.error('vigil edge: shutdown failed', e),
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
