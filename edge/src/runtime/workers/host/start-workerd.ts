/**
 * Runs the bundled Worker in workerd through Miniflare 4: what the edge-workers tests and
 * `npm start` use. Node side. Compatibility date, flags, [vars] and the Durable Object binding
 * come from wrangler.toml (via wrangler's own translation to Miniflare options), the code from
 * `bundleWorker`'s module list. The LiveHub, the EventOutbox and the FeatureState are configured as
 * wrangler.toml's migrations declare them (`new_sqlite_classes`): SQLite-backed, so
 * `ctx.storage.sql` exists; their storage (and the outbox's alarm) is in memory unless
 * `persistDir` is given.
 */
import { Miniflare } from 'miniflare';
import { WRANGLER_TOML, type WorkerBundle } from './bundle.js';

export interface StartWorkerdOptions {
  /** Secrets and overrides of [vars], as `wrangler secret put` / .dev.vars would set them. */
  readonly bindings?: Readonly<Record<string, string>>;
  /** Loopback port to listen on; 0 (default) picks a free one. */
  readonly port?: number;
  /**
   * Keep Durable Object storage (the LiveHub's sequence and retained events, the events the
   * EventOutbox holds for the backplane, the FeatureState's features, records and answers) in
   * this directory across runs; default: in memory, gone on dispose.
   */
  readonly persistDir?: string;
}

export interface WorkerdEdge {
  /** Where the Worker answers, e.g. `http://127.0.0.1:40123/`. */
  readonly url: URL;
  /** From `new Miniflare` to `ready`, ms: workerd start plus Wasm compilation. */
  readonly startupMs: number;
  /** A Durable Object namespace of the Worker by its binding, callable from Node: for tests. */
  durableObjects(binding: string): ReturnType<Miniflare['getDurableObjectNamespace']>;
  dispose(): Promise<void>;
}

/** Start workerd with the Worker of `bundle`; throws (never resolves half-started) on failure. */
export async function startWorkerd(
  bundle: WorkerBundle,
  options: StartWorkerdOptions = {},
): Promise<WorkerdEdge> {
  // Imported here, not at the top: wrangler is a large module, needed only at start-up.
  const { unstable_getMiniflareWorkerOptions } = await import('wrangler');
  const { workerOptions } = unstable_getMiniflareWorkerOptions(WRANGLER_TOML);
  // Its modulesRules are inert here: rules only drive Miniflare's own module collection, and the
  // module list below is explicit.
  const vars = stringVars(workerOptions.bindings);
  const started = performance.now();
  const mf = new Miniflare({
    ...workerOptions,
    name: 'vigil-edge',
    modulesRoot: bundle.dir,
    modules: bundle.modules.map((m) => ({ type: m.type, path: m.path })),
    bindings: { ...vars, ...options.bindings },
    // As wrangler derives them from [[migrations]] new_sqlite_classes; stated here so neither
    // object runs on the key-value backend by accident (both need ctx.storage.sql).
    durableObjects: {
      LIVE_HUB: { className: 'LiveHub', useSQLite: true },
      EVENT_OUTBOX: { className: 'EventOutbox', useSQLite: true },
      FEATURE_STATE: { className: 'FeatureState', useSQLite: true },
    },
    durableObjectsPersist: options.persistDir ?? false,
    host: '127.0.0.1',
    port: options.port ?? 0,
  });
  let url: URL;
  try {
    url = await mf.ready;
  } catch (error) {
    await mf.dispose().catch(() => {});
    throw new Error(`workerd did not start the Worker: ${String(error)}`, { cause: error });
  }
  return {
    url,
    startupMs: performance.now() - started,
    durableObjects: (binding) => mf.getDurableObjectNamespace(binding),
    dispose: () => mf.dispose(),
  };
}

/** wrangler.toml's [vars], which the Worker reads as strings (its Env); anything else is a slip. */
function stringVars(bindings: unknown): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(bindings ?? {})) {
    if (typeof value !== 'string')
      throw new Error(`wrangler.toml: [vars] ${name} must be a string`);
    vars[name] = value;
  }
  return vars;
}
