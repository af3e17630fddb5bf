import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { bundleWorker } from '../edge/src/runtime/workers/host/bundle.js';
import { startWorkerd } from '../edge/src/runtime/workers/host/start-workerd.js';
import { KEY, load, transactions } from './edge-node.bench.js';
import { fmt, fmtInt, table } from './stats.js';

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
    bindings: { VIGIL_API_KEYS: KEY },
  });
  const edgeUrl = edge.url.origin;
  try {
    const seconds = 10;
    const conns = 16;
    const bodies = transactions(300_000, `w${Date.now()}`);
    await load(floor.url, '/v1/score', bodies.slice(0, 1000), { connections: 4, seconds: 2 });
    await load(edgeUrl, '/v1/score', bodies.slice(0, 5000), { connections: 4, seconds: 2 });
    const fMax = await load(floor.url, '/v1/score', bodies.slice(5000), {
      connections: conns,
      seconds,
    });
    const eMax = await load(edgeUrl, '/v1/score', bodies.slice(5000), {
      connections: conns,
      seconds,
    });
    const half = Math.max(1, Math.round(eMax.rps / 2));
    const fHalf = await load(floor.url, '/v1/score', bodies.slice(150_000), {
      connections: conns,
      seconds,
      rate: half,
    });
    const eHalf = await load(edgeUrl, '/v1/score', bodies.slice(150_000), {
      connections: conns,
      seconds,
      rate: half,
    });
    const tx = transactions(100_000, `W${Date.now()}`);
    const batchBodies: string[] = [];
    for (let k = 0; k < tx.length; k += 1000)
      batchBodies.push(`{"transactions":[${tx.slice(k, k + 1000).join(',')}]}`);
    const b = await load(edgeUrl, '/v1/score/batch', batchBodies, { connections: 2, seconds: 10 });
    return [
      '## Edge on workerd: /v1/score against the Hono floor',
      '',
      `The bundled Worker (wrangler's bundle, the same one \`npm run dev:worker\` and deploy use) in workerd through Miniflare 4, one isolate, in-isolate features; the floor is a Hono Worker that parses the body and returns a fixed JSON. ${conns} connections, ${seconds} s per run, autocannon in the benchmark's process.`,
      '',
      table(
        [
          'worker',
          'max load: requests/s',
          'p50 ms',
          'p99 ms',
          `at ${fmtInt(half)} req/s: p50 ms`,
          'p99 ms',
          'errors',
        ],
        [
          [
            'Hono floor Worker',
            fmtInt(fMax.rps),
            fmt(fMax.p50),
            fmt(fMax.p99),
            fmt(fHalf.p50),
            fmt(fHalf.p99),
            String(fMax.errors + fHalf.errors),
          ],
          [
            'Vigil Worker /v1/score',
            fmtInt(eMax.rps),
            fmt(eMax.p50),
            fmt(eMax.p99),
            fmt(eHalf.p50),
            fmt(eHalf.p99),
            String(eMax.errors + eHalf.errors),
          ],
          [
            'ratio Vigil / floor',
            fmt(eMax.rps / fMax.rps),
            '',
            '',
            '',
            fmt(eHalf.p99 / Math.max(fHalf.p99, 1e-9)),
            '',
          ],
        ],
      ),
      '',
      `Batch on workerd: 1,000 transactions per request, 2 connections: **${fmtInt(b.rps * 1000)} transactions/s** (p50 ${fmt(b.p50)} ms, p99 ${fmt(b.p99)} ms, errors ${b.errors}).`,
      '',
    ].join('\n');
  } finally {
    await edge.dispose();
    await floor.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
