import { N_FEATURES, predictProbability } from '@vigil/core';
import { createOrtScorer, readArtifacts, replayFeatures } from '@vigil/model';
import { simulate } from '@vigil/sim';
import { type Child, startScript } from './child-process.js';
import { compareWithFloor, comparisonTable, KEY } from './floor-comparison.js';
import { fmt, fmtInt, summarize } from './stats.js';

/** Start a server script in its own process (its own core) and wait for its health route. */
function startServer(script: string, env: Record<string, string> = {}): Promise<Child> {
  return startScript(script, {
    env: { VIGIL_API_KEYS: KEY, ...env },
    portVariable: 'PORT',
    healthPath: '/v1/health',
    timeoutSeconds: 60,
  });
}

/** Node edge vs the Hono floor; batch throughput; the tree-walk and ORT single-row bounds. */
export async function benchEdgeNode(): Promise<string> {
  const floor = await startServer('bench/servers/hono-floor.ts');
  const required = await startServer('bench/servers/required-work.ts');
  const edge = await startServer('edge/src/runtime/node/main.ts');
  try {
    const c = await compareWithFloor(floor.url, edge.url, 16, 10, required.url);
    const r = c.required!;

    // Lower bounds in this process: the plain tree walk and one ORT run per row.
    const model = await readArtifacts();
    const ds = simulate({ seed: 5, days: 40 });
    const X = replayFeatures(ds);
    const n = 20_000;
    const walk = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      predictProbability(model.ensemble, X, i * N_FEATURES);
      walk[i] = Number(process.hrtime.bigint() - t0) / 1000;
    }
    const scorer = await createOrtScorer(model.onnx);
    const ort = new Float64Array(5000);
    for (let i = 0; i < ort.length; i++) {
      const row = X.slice(i * N_FEATURES, (i + 1) * N_FEATURES);
      const t0 = process.hrtime.bigint();
      await scorer.score(row);
      ort[i] = Number(process.hrtime.bigint() - t0) / 1000;
    }
    await scorer.release();
    const w = summarize(walk);
    const o = summarize(ort);

    return [
      '## Edge on Node: /v1/score against the Hono floor',
      '',
      `Server and load generator (autocannon) in separate processes, ${c.connections} connections, ${c.seconds} s per run; every request a new transaction of a simulated stream, in-memory features, the committed model in onnxruntime-web. The floor is a Hono handler on the same runtime that only parses the body and returns a fixed JSON. "Server CPU / request" is the server process's user + system CPU from /proc over the max-load run divided by the requests it answered (10 ms ticks over ${c.seconds} s); "load generator CPU" is autocannon's own, in cores (a value near 1 would mean the generator, not the server, set the pace). The edge runs with no rules here (no backplane): the cost of rules is the rules section's.`,
      '',
      comparisonTable(c, 'Hono floor (parse + fixed JSON)', 'Vigil /v1/score'),
      '',
      `"Required work only" is the floor plus what issue 3 requires of every transaction and nothing of the edge's own: core's validation, the in-memory store's step, core's features, onnxruntime-web micro-batched as the edge runs it, core's reasons and decision, the answer's JSON and its save (no API keys, metrics, security headers, Server-Timing, store deadline or events). It reached **${fmt(r.max.rps / c.floorMax.rps)}** of the floor's throughput in this run; the edge reached ${fmt(c.edgeMax.rps / r.max.rps)} of it, which is the cost of the edge's own middleware and safeguards.`,
      '',
      `Batch: /v1/score/batch with 1,000 transactions per request, 2 connections: **${fmtInt(c.batch.rps * 1000)} transactions/s** (${fmt(c.batch.rps, 1)} requests/s, p50 ${fmt(c.batch.p50)} ms, p99 ${fmt(c.batch.p99)} ms, errors ${c.batch.errors}, server CPU ${fmt(c.batch.serverCpuUs / 1000, 1)} µs per transaction); the required work only: ${fmtInt(r.batch.rps * 1000)} transactions/s (p50 ${fmt(r.batch.p50)} ms, p99 ${fmt(r.batch.p99)} ms, errors ${r.batch.errors}, server CPU ${fmt(r.batch.serverCpuUs / 1000, 1)} µs per transaction).`,
      '',
      `Lower bounds per row, in-process: the TypeScript tree walk p50 ${fmt(w.p50, 1)} µs, p99 ${fmt(w.p99, 1)} µs; one onnxruntime-web \`run\` of a single row p50 ${fmt(o.p50, 1)} µs, p99 ${fmt(o.p99, 1)} µs (${model.metadata.training.trees} trees).`,
      '',
    ].join('\n');
  } finally {
    await edge.stop();
    await required.stop();
    await floor.stop();
  }
}
