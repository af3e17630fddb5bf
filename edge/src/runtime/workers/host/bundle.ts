/**
 * Builds the Worker exactly as `wrangler deploy` would upload it, from the root wrangler.toml,
 * and describes it as the explicit module list Miniflare needs. Node side (tests, `npm start`):
 * never bundled into the Worker.
 *
 * Why wrangler's bundler rather than esbuild directly: one configuration (wrangler.toml's main,
 * compatibility date, module rules) serves `dev:worker`, deploy and the tests, so what the tests load into
 * workerd is byte for byte what would be uploaded. Why explicit modules: Miniflare's automatic
 * module collection follows imports, and onnxruntime-web's bundle contains a dynamic `import()`
 * of a computed URL, which it rejects; wrangler has already resolved every real import, so the
 * out directory *is* the module list.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

/** The repository root, where wrangler.toml lives. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../..');
export const WRANGLER_TOML = join(REPO_ROOT, 'wrangler.toml');

export type WorkerModuleType = 'ESModule' | 'CompiledWasm' | 'Data' | 'Text';

export interface WorkerModule {
  readonly type: WorkerModuleType;
  /** Absolute path; its name inside the Worker is the path relative to `WorkerBundle.dir`. */
  readonly path: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

export interface WorkerBundle {
  readonly dir: string;
  /** Entry module first, as Miniflare requires. */
  readonly modules: readonly WorkerModule[];
  /** Sum over the modules: what the upload weighs. */
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Wall time of the build, ms. */
  readonly buildMs: number;
}

const TYPE_BY_EXTENSION: Readonly<Record<string, WorkerModuleType>> = {
  '.js': 'ESModule',
  '.mjs': 'ESModule',
  '.wasm': 'CompiledWasm',
  '.onnx': 'Data',
  '.bin': 'Data',
  '.txt': 'Text',
};
/** What wrangler writes beside the modules and is not one. */
const NOT_MODULES = new Set(['.map', '.md']);

const run = promisify(execFile);

/**
 * `wrangler deploy --dry-run --outdir <outdir>`: bundles the Worker (no login, no upload) and
 * lists the result. Throws with wrangler's output when the build fails.
 */
export async function bundleWorker(outdir: string): Promise<WorkerBundle> {
  const started = performance.now();
  const require = createRequire(import.meta.url);
  const wrangler = join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
  const args = [wrangler, 'deploy', '--dry-run', '--config', WRANGLER_TOML, '--outdir', outdir];
  try {
    await run(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', CI: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const out = error as { stdout?: string; stderr?: string };
    throw new Error(
      `wrangler could not bundle the Worker:\n${out.stderr ?? ''}${out.stdout ?? ''}`,
      {
        cause: error,
      },
    );
  }
  const modules = await listModules(outdir);
  return {
    dir: outdir,
    modules,
    bytes: modules.reduce((s, m) => s + m.bytes, 0),
    gzipBytes: modules.reduce((s, m) => s + m.gzipBytes, 0),
    buildMs: performance.now() - started,
  };
}

async function listModules(dir: string): Promise<WorkerModule[]> {
  const modules: WorkerModule[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const ext = extname(name);
    if (NOT_MODULES.has(ext)) continue;
    const type = TYPE_BY_EXTENSION[ext];
    if (type === undefined) {
      throw new Error(`worker bundle: no module type for ${name}; add its extension to bundle.ts`);
    }
    const path = join(dir, name);
    const content = await readFile(path);
    modules.push({ type, path, bytes: content.length, gzipBytes: gzipSync(content).length });
  }
  // wrangler bundles all JavaScript into the one entry module; everything else is an import of it.
  const entries = modules.filter((m) => m.type === 'ESModule');
  if (entries.length !== 1) {
    throw new Error(`worker bundle: expected one ESModule in ${dir}, found ${entries.length}`);
  }
  return [...entries, ...modules.filter((m) => m.type !== 'ESModule')];
}
