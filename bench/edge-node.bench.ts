import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { N_FEATURES, predictProbability } from '@vigil/core';
import { readArtifacts } from '../model/src/pipeline/artifacts.js';
import { createOrtScorer } from '../model/src/onnx/ort-session.js';
import { simulate, toRecord } from '../model/src/simulate/index.js';
import { replayFeatures } from '../model/src/pipeline/replay-features.js';
import { fmt, fmtInt, summarize, table } from './stats.js';

const ROOT = new URL('..', import.meta.url).pathname;
export const KEY = 'bench-key-0123456789abcdef';

interface Server {
  readonly url: string;
  stop(): Promise<void>;
}

/** A port free right now on loopback. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Start a server script in its own process (its own core) and wait for its health route. */
async function startServer(script: string, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), VIGIL_API_KEYS: KEY, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/v1/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${script} did not start within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Transactions of a realistic stream (simulated, time-ordered), with ids unique to this run. */
export function transactions(n: number, run: string): string[] {
  const ds = simulate({ seed: 5, days: 60 });
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const { is_fraud: _f, fraud_scenario: _s, ...tx } = toRecord(ds, i % ds.length);
    out.push(JSON.stringify({ ...tx, transaction_id: `${run}_${i}` }));
  }
  return out;
}

export interface LoadResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

export async function load(
  url: string,
  path: string,
  bodies: string[],
  opts: { connections: number; seconds: number; rate?: number },
): Promise<LoadResult> {
  let i = 0;
  const r = await autocannon({
    url: `${url}${path}`,
    method: 'POST',
    connections: opts.connections,
    duration: opts.seconds,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }) }],
  });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
  };
}

/** Node edge vs the Hono floor; batch throughput; the tree-walk and ORT single-row bounds. */
export async function benchEdgeNode(): Promise<string> {
  const floor = await startServer('bench/servers/hono-floor.ts');
  const edge = await startServer('edge/src/runtime/node/main.ts');
  try {
    const seconds = 10;
    const conns = 16;
    const bodies = transactions(400_000, `b${Date.now()}`);
    // Warm both (JIT, ORT session), then measure at full load, then at half the edge's maximum.
    await load(floor.url, '/v1/score', bodies.slice(0, 1000), { connections: 4, seconds: 2 });
    await load(edge.url, '/v1/score', bodies.slice(0, 5000), { connections: 4, seconds: 2 });
    const fMax = await load(floor.url, '/v1/score', bodies.slice(5000), {
      connections: conns,
      seconds,
    });
    const eMax = await load(edge.url, '/v1/score', bodies.slice(5000), {
      connections: conns,
      seconds,
    });
    const half = Math.max(1, Math.round(eMax.rps / 2));
    const fHalf = await load(floor.url, '/v1/score', bodies.slice(200_000), {
      connections: conns,
      seconds,
      rate: half,
    });
    const eHalf = await load(edge.url, '/v1/score', bodies.slice(200_000), {
      connections: conns,
      seconds,
      rate: half,
    });

    const batchBodies: string[] = [];
    const tx = transactions(200_000, `B${Date.now()}`);
    for (let k = 0; k < tx.length; k += 1000)
      batchBodies.push(`{"transactions":[${tx.slice(k, k + 1000).join(',')}]}`);
    const bEdge = await load(edge.url, '/v1/score/batch', batchBodies, {
      connections: 2,
      seconds: 10,
    });

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
      `Server and load generator (autocannon) in separate processes, ${conns} connections, ${seconds} s per run; every request a new transaction of a simulated stream, in-memory features, the committed model in onnxruntime-web. The floor is a Hono handler on the same runtime that only parses the body and returns a fixed JSON.`,
      '',
      table(
        [
          'server',
          'max load: requests/s',
          'p50 ms',
          'p99 ms',
          `at ${fmtInt(half)} req/s: p50 ms`,
          'p99 ms',
          'errors',
        ],
        [
          [
            'Hono floor (parse + fixed JSON)',
            fmtInt(fMax.rps),
            fmt(fMax.p50),
            fmt(fMax.p99),
            fmt(fHalf.p50),
            fmt(fHalf.p99),
            String(fMax.errors + fHalf.errors),
          ],
          [
            'Vigil /v1/score',
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
      `Batch: /v1/score/batch with 1,000 transactions per request, 2 connections: **${fmtInt(bEdge.rps * 1000)} transactions/s** (${fmt(bEdge.rps, 1)} requests/s, p50 ${fmt(bEdge.p50)} ms, p99 ${fmt(bEdge.p99)} ms, errors ${bEdge.errors}).`,
      '',
      `Lower bounds per row, in-process: the TypeScript tree walk p50 ${fmt(w.p50, 1)} µs, p99 ${fmt(w.p99, 1)} µs; one onnxruntime-web \`run\` of a single row p50 ${fmt(o.p50, 1)} µs, p99 ${fmt(o.p99, 1)} µs (${model.metadata.training.trees} trees).`,
      '',
    ].join('\n');
  } finally {
    await edge.stop();
    await floor.stop();
  }
}
