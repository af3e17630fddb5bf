/**
 * `npm start`: Vigil on one machine with embedded defaults, no Docker, no external server.
 * Today that is the edge (the Worker, in workerd via Miniflare) at http://127.0.0.1:$PORT/ with
 * in-isolate features; the backplane, LiveHub and dashboard join it in later issues. Prints the
 * URL and the API key (generated unless VIGIL_API_KEYS is set); Ctrl-C stops everything.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../edge/src/config/index.js';
import { bundleWorker } from '../edge/src/runtime/workers/host/bundle.js';
import { startWorkerd } from '../edge/src/runtime/workers/host/start-workerd.js';

function port(): number {
  const raw = process.env.PORT ?? '8787';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) {
    throw new Error(`PORT must be a port number (0–65535), got "${raw}"`);
  }
  return n;
}

async function main(): Promise<void> {
  const p = port();
  const key =
    process.env.VIGIL_API_KEYS?.split(',')[0]?.trim() ||
    `vigil_dev_${randomBytes(24).toString('base64url')}`;
  const keys = process.env.VIGIL_API_KEYS?.trim() || key;
  const bindings: Record<string, string> = { VIGIL_API_KEYS: keys };
  for (const name of [
    'UPSTASH_REDIS_REST_URL',
    'UPSTASH_REDIS_REST_TOKEN',
    'VIGIL_FEATURE_TIMEOUT_MS',
    'VIGIL_CORS_ORIGINS',
    'VIGIL_MAX_BODY_BYTES',
  ]) {
    const v = process.env[name];
    if (v) bindings[name] = v;
  }
  // The Worker reads its configuration on its first request; check it now, with the same
  // loadConfig, so a bad value stops start-up naming the variable instead of answering 500s.
  loadConfig({ ...bindings, PORT: String(p) });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-start-'));
  // Miniflare exits the process on Ctrl-C by itself; an exit hook still runs, so clean up there.
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  process.stdout.write('vigil: bundling the Worker…\n');
  const bundle = await bundleWorker(dir);
  const edge = await startWorkerd(bundle, { port: p, bindings });
  const url = edge.url.origin;
  process.stdout.write(
    [
      `Vigil is running at ${url}/ (edge in workerd, started in ${Math.round(edge.startupMs)} ms)`,
      `  API key     ${process.env.VIGIL_API_KEYS ? '(from VIGIL_API_KEYS)' : key}`,
      `  docs        ${url}/docs · ${url}/openapi.json · ${url}/v1/health`,
      `  features    ${bindings.UPSTASH_REDIS_REST_URL ? 'Redis over Upstash REST' : 'in memory (per isolate)'}`,
      '  not yet     backplane, LiveHub and the dashboard (issues 4 and 5)',
      '',
      `  curl -H 'Authorization: Bearer ${process.env.VIGIL_API_KEYS ? '<key>' : key}' -H 'Content-Type: application/json' \\`,
      `    -d '{"transaction_id":"tx_1","timestamp":"2018-08-08T10:12:03Z","customer_id":"c_1","terminal_id":"t_1","amount":57.16}' \\`,
      `    ${url}/v1/score`,
      '',
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stdout.write('vigil: stopping\n');
    edge.dispose().then(
      () => {
        rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`vigil: cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
