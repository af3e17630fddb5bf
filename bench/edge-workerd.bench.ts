import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { bundleWorker } from '../edge/src/runtime/workers/host/bundle.js';
import { startWorkerd } from '../edge/src/runtime/workers/host/start-workerd.js';
import { compareWithFloor, comparisonTable, KEY } from './floor-comparison.js';
import { fmt, fmtInt } from './stats.js';

/** The Hono floor as a Worker in workerd (Miniflare), bundled with esbuild. */
async function startFloorWorker(dir: string): Promise<{ url: string; dispose(): Promise<void> }> {
  const out = join(dir, 'floor.mjs');
  await build({
    entryPoints: [new URL('./servers/hono-floor-worker.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    outfile: out,
    logLevel: 'silent',
  });
  const mf = new Miniflare({
    modules: true,
    script: readFileSync(out, 'utf8'),
    host: '127.0.0.1',
    port: 0,
    compatibilityDate: '2026-04-20',
  });
  const url = await mf.ready;
  return { url: url.origin, dispose: () => mf.dispose() };
}

/** The Worker in workerd against a Hono Worker floor, same method as the Node section. */
export async function benchEdgeWorkerd(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-workerd-'));
  const floor = await startFloorWorker(dir);
  const edge = await startWorkerd(await bundleWorker(join(dir, 'edge')), {
    // In-isolate features, as this section has always measured (the Worker's default is the
    // FeatureState Durable Object: one RPC per call on top).
    bindings: { VIGIL_API_KEYS: KEY, VIGIL_FEATURE_STORE: 'memory' },
  });
  const edgeUrl = edge.url.origin;
  try {
    const c = await compareWithFloor(floor.url, edgeUrl);
    return [
      '## Edge on workerd: /v1/score against the Hono floor',
      '',
      `The bundled Worker (wrangler's bundle, the same one \`npm run dev:worker\` and deploy use) in workerd through Miniflare 4, one isolate, in-isolate features; the floor is a Hono Worker that parses the body and returns a fixed JSON. ${c.connections} connections, ${c.seconds} s per run, autocannon in the benchmark's process.`,
      '',
      comparisonTable(c, 'Hono floor Worker', 'Vigil Worker /v1/score'),
      '',
      `Batch on workerd: 1,000 transactions per request, 2 connections: **${fmtInt(c.batch.rps * 1000)} transactions/s** (p50 ${fmt(c.batch.p50)} ms, p99 ${fmt(c.batch.p99)} ms, errors ${c.batch.errors}, workerd CPU ${fmt(c.batch.serverCpuUs / 1000, 1)} µs per transaction).`,
      '',
    ].join('\n');
  } finally {
    await edge.dispose();
    await floor.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
