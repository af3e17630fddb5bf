/**
 * The whole of Vigil on one machine, as `npm start` / `npm run start:node` and the browser tests
 * run it: the backplane (embedded PGlite and in-process log unless DATABASE_URL / KAFKA_BROKERS are
 * set) and the edge with its LiveHub — the Worker in workerd via Miniflare, or the Node edge with
 * the hub-only Worker beside it — at ONE origin: the edge answers /v1/*, serves /v1/live from the
 * LiveHub and forwards /api/* and the dashboard to the backplane. The backplane publishes to the
 * LiveHub where it runs: the Worker (the origin) or, with the Node edge, the hub's own workerd,
 * not back through the Node edge.
 *
 * Secrets the parts share (events HMAC, hub, sessions) and the API key are generated on the first
 * start unless set, and kept in the data dir for the next (dev-secrets.ts); the dashboard's
 * sign-in token is always new and valid once. The edge's feature store is the durable one (the
 * FeatureState Durable Object in workerd, LMDB under the data dir on Node) unless Redis or
 * VIGIL_FEATURE_STORE says otherwise, so a restart forgets no state, record or saved answer.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino, type Logger } from 'pino';
import { loadConfig as loadBackplaneConfig } from '../backplane/src/config/index.js';
import { startBackplane, type Backplane } from '../backplane/src/main.js';
import type { Logger as EdgeLogger } from '../edge/src/app/app-context.js';
import { loadConfig as loadEdgeConfig } from '../edge/src/config/index.js';
import { startNodeEdge } from '../edge/src/runtime/node/main.js';
import { bundleWorker } from '../edge/src/runtime/workers/host/bundle.js';
import { HUB_BINDINGS, startLiveHub } from '../edge/src/runtime/workers/host/start-live-hub.js';
import { startWorkerd } from '../edge/src/runtime/workers/host/start-workerd.js';
import { loadDevSecrets } from './dev-secrets.js';
import { checkListen, listenErrorOf } from './listen-check.js';
import { DEFAULT_PUBLIC_HOST, localOrigin, readSystemConfig } from './system-config.js';
import { forwardTcp } from './tcp-forward.js';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface SystemOptions {
  /** Where the edge runs: the Worker in workerd (npm start) or Node (npm run start:node). */
  readonly edge: 'workerd' | 'node';
  /** The environment to read (process.env for the commands). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Public origin's port (PORT, default 8787; 0 = a free one). */
  readonly port?: number;
  /**
   * Embedded state (PGlite, the Worker's Durable Objects, the Node edge's outbox and features, the
   * generated secrets); default <repo>/.vigil.
   */
  readonly dataDir?: string;
  /** The backplane's logger (default: pino JSON on stderr at VIGIL_LOG_LEVEL, default warn). */
  readonly log?: Logger;
  /** Progress lines ("bundling the Worker…"). */
  readonly progress?: (line: string) => void;
}

export interface RunningSystem {
  /** The one origin, e.g. http://127.0.0.1:8787 (no trailing slash). */
  readonly origin: string;
  /** The dashboard's one-time sign-in URL. */
  readonly signInUrl: string;
  /** A bearer key for the scoring API (generated, or kept from an earlier start, unless VIGIL_API_KEYS was set). */
  readonly apiKey: string;
  readonly apiKeyGenerated: boolean;
  /** Where the generated key and secrets are kept; null when the environment set them all. */
  readonly secretsFile: string | null;
  readonly backplane: Backplane;
  /** Where the backplane publishes the live feed: the LiveHub's own origin. */
  readonly hubUrl: string;
  /** Lines describing what runs where, for the banner. */
  readonly description: readonly string[];
  /** Stop everything: the edge first (its outbox flushes to the backplane), then the backplane. */
  close(): Promise<void>;
}

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const e of readdirSync(path)) m = Math.max(m, newestMtime(join(path, e)));
  return m;
}

/** Build the dashboard (web/dist) unless it is newer than its sources. */
export async function ensureDashboardBuilt(progress: (line: string) => void): Promise<string> {
  const web = join(REPO_ROOT, 'web');
  const dist = join(web, 'dist');
  const index = join(dist, 'index.html');
  const sources = Math.max(
    newestMtime(join(web, 'src')),
    newestMtime(join(web, 'index.html')),
    newestMtime(join(web, 'vite.config.ts')),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return dist;
  progress('building the dashboard (web/dist)…');
  await promisify(execFile)(
    process.execPath,
    [join(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
    { cwd: web },
  );
  return dist;
}

/** Start the whole system; throws (having stopped what it started) when a part cannot start. */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const env = options.env;
  const progress = options.progress ?? (() => {});
  // Our own variables first, and whether the public origin can listen: a bad value or a taken
  // port stops start-up naming its variable before anything is built or started. Port 0 becomes a
  // free port here, as the origin must be known before the edge starts.
  const { host, port, logLevel } = readSystemConfig(env);
  const publicPort = await checkListen(host, options.port ?? port);
  const origin = localOrigin(host, publicPort);
  // The edge's own failure to listen (the port taken since the check) in the same words.
  const notListening = (e: unknown): never => {
    throw listenErrorOf(e, host, publicPort) ?? e;
  };
  const dataDir = resolve(options.dataDir ?? env.VIGIL_DATA_DIR ?? join(REPO_ROOT, '.vigil'));
  mkdirSync(dataDir, { recursive: true });
  const log =
    options.log ??
    pino({ level: logLevel, base: { service: 'vigil-backplane' } }, pino.destination(2));

  const secrets = loadDevSecrets(dataDir, env);
  const apiKeyGenerated = !env.VIGIL_API_KEYS?.trim();
  const apiKeys = secrets.values.VIGIL_API_KEYS;
  const apiKey = apiKeys.split(',')[0]!.trim();
  const shared = {
    ...secrets.values,
    ...(env.VIGIL_ANALYST_KEYS ? { VIGIL_ANALYST_KEYS: env.VIGIL_ANALYST_KEYS } : {}),
  };
  const signInToken = randomBytes(32).toString('base64url');

  const webDist = await ensureDashboardBuilt(progress);
  const stops: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
  };
  try {
    return await startParts();
  } catch (e) {
    await closeAll();
    throw e;
  }

  async function startParts(): Promise<RunningSystem> {
    const bundleDir = mkdtempSync(join(tmpdir(), 'vigil-start-'));
    stops.push(() => Promise.resolve(rmSync(bundleDir, { recursive: true, force: true })));
    progress('bundling the Worker…');
    const bundle = await bundleWorker(bundleDir);
    const hubDir = join(dataDir, 'hub');
    mkdirSync(hubDir, { recursive: true });
    // With the Node edge the LiveHub is a workerd of its own, started first so that the backplane
    // publishes to it directly; the Worker serves its hub at the origin itself.
    let hub: Awaited<ReturnType<typeof startLiveHub>> | null = null;
    if (options.edge === 'node') {
      progress('starting the LiveHub in workerd…');
      hub = await startLiveHub(bundle, { bindings: hubEnv(env, shared), persistDir: hubDir });
      const started = hub;
      stops.push(() => started.dispose());
    }
    const hubUrl = hub?.url.origin ?? origin;

    const backplaneEnv = {
      ...shared,
      VIGIL_BACKPLANE_PORT: env.VIGIL_BACKPLANE_PORT ?? '0',
      // Reached through the edge only: on loopback whatever VIGIL_HOST says.
      VIGIL_HOST: '127.0.0.1',
      VIGIL_DATA_DIR: dataDir,
      VIGIL_WEB_DIST: webDist,
      VIGIL_HUB_URL: hubUrl,
      VIGIL_EDGE_URL: origin,
      ...pick(env, ['KAFKA_BROKERS', 'DATABASE_URL', 'VIGIL_KAFKA_PARTITIONS', 'VIGIL_LOG_LEVEL']),
    };
    const backplaneConfig = loadBackplaneConfig(backplaneEnv);
    progress('starting the backplane…');
    const backplane = await startBackplane(backplaneConfig, { log, signInToken });
    stops.push(() => backplane.close());

    const edgeEnv: Record<string, string> = {
      ...shared,
      VIGIL_BACKPLANE_URL: backplane.url,
      ...pick(env, [
        'UPSTASH_REDIS_REST_URL',
        'UPSTASH_REDIS_REST_TOKEN',
        'VIGIL_FEATURE_TIMEOUT_MS',
        'VIGIL_RULES_SYNC_MS',
        'VIGIL_CORS_ORIGINS',
        'VIGIL_MAX_BODY_BYTES',
        'VIGIL_HUB_RETAIN',
        'VIGIL_OUTBOX_CAPACITY',
        'VIGIL_OUTBOX_SPILL_MAX_BYTES',
      ]),
      // Features that survive a restart, unless the user chose otherwise (Redis, when configured,
      // is used whatever this says).
      VIGIL_FEATURE_STORE: env.VIGIL_FEATURE_STORE?.trim() || 'durable',
    };
    // Check the edge's configuration now, with its own loadConfig, so a bad value stops start-up
    // naming the variable instead of answering 500s from inside workerd.
    loadEdgeConfig({ ...edgeEnv, PORT: String(publicPort) });
    const description: string[] = [];
    if (options.edge === 'workerd') {
      progress('starting workerd (edge + LiveHub)…');
      // Miniflare opens its helper server where workerd listens: workerd stays on loopback, and
      // another VIGIL_HOST gets a forwarder of its own (tcp-forward.ts).
      const direct = host === DEFAULT_PUBLIC_HOST;
      const edge = await startWorkerd(bundle, {
        port: direct ? publicPort : 0,
        bindings: edgeEnv,
        persistDir: hubDir,
      }).catch(notListening);
      stops.push(() => edge.dispose());
      if (!direct) {
        const to = { host: edge.url.hostname, port: Number(edge.url.port) };
        const forwarder = await forwardTcp({ host, port: publicPort }, to).catch(notListening);
        stops.push(() => forwarder.close());
      }
      description.push(
        `edge       the Worker in workerd (Miniflare), features ${
          edgeEnv.UPSTASH_REDIS_REST_URL
            ? 'in Redis over Upstash REST'
            : edgeEnv.VIGIL_FEATURE_STORE === 'memory'
              ? 'in memory (per isolate; lost on exit)'
              : `in the FeatureState Durable Object, kept in ${hubDir}`
        }`,
        'live       LiveHub Durable Object in the same workerd',
      );
    } else {
      progress('starting the edge on Node…');
      const edge = await startNodeEdge(
        {
          ...edgeEnv,
          ...pick(env, ['REDIS_URL']),
          VIGIL_HOST: host,
          PORT: String(publicPort),
          VIGIL_HUB_URL: hubUrl,
          // Beside the rest of the embedded state, so that a run with its own data dir has its own.
          VIGIL_OUTBOX_DIR: env.VIGIL_OUTBOX_DIR?.trim() || join(dataDir, 'edge-outbox'),
          VIGIL_FEATURE_STORE_DIR:
            env.VIGIL_FEATURE_STORE_DIR?.trim() || join(dataDir, 'edge-features'),
        },
        { log: silentLog(log) },
      ).catch(notListening);
      stops.push(() => edge.close());
      description.push(
        `edge       Node (@hono/node-server), features ${edge.storeDescription}`,
        `live       LiveHub Durable Object in workerd at ${hubUrl} (the backplane publishes there)`,
      );
    }
    description.push(
      `backplane  ${backplane.url} — ${backplane.description.log}, ${backplane.description.database}`,
    );
    if (secrets.kept.length > 0) {
      description.push(
        `secrets    ${secrets.generated.length > 0 ? 'generated into' : 'kept in'} ${secrets.file} (mode 0600; delete it to rotate; variables you set win)`,
      );
    }
    if (host !== DEFAULT_PUBLIC_HOST) {
      description.push(
        `listening  ${host} port ${publicPort} (VIGIL_HOST); the backplane and the LiveHub on 127.0.0.1 only`,
      );
    }
    return {
      origin,
      signInUrl: `${origin}/?token=${signInToken}`,
      apiKey,
      apiKeyGenerated,
      secretsFile: secrets.kept.length > 0 ? secrets.file : null,
      backplane,
      hubUrl,
      description,
      close: closeAll,
    };
  }
}

/** The LiveHub's bindings (HUB_BINDINGS): the keys and secrets it authenticates with. */
function hubEnv(env: SystemOptions['env'], shared: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of HUB_BINDINGS) {
    const v = shared[name] ?? env[name]?.trim();
    if (v) out[name] = v;
  }
  return out;
}

function pick(env: SystemOptions['env'], names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = env[n]?.trim();
    if (v) out[n] = v;
  }
  return out;
}

/** The Node edge's log entries, into the backplane's pino (one log stream for the terminal). */
function silentLog(log: Logger): EdgeLogger {
  const edge = log.child({ service: 'vigil-edge' });
  return (entry) => edge[entry.level](entry);
}
