/**
 * The method both edge benchmarks share: the same simulated stream at full load, then at half the
 * edge's maximum, against a parse-and-return Hono floor measured in the same run, plus batches.
 */
import autocannon from 'autocannon';
import { simulate, toRecord } from '@vigil/sim';
import { ownCpuSeconds, serviceCpu } from './proc-cpu.js';
import { fmt, fmtInt, table } from './stats.js';

export const KEY = 'bench-key-0123456789abcdef';

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
  /** The server's CPU (its process and children, from /proc) per answered request, µs. */
  readonly serverCpuUs: number;
  /** CPU the load generator (autocannon, in this process) used, in cores over the run. */
  readonly generatorCores: number;
}

/**
 * Request bodies that never repeat a transaction_id: once the list is used up, every id of a body
 * gets a round suffix. A repeated id would be a replay — the stored answer, far cheaper than
 * scoring — and would flatter the throughput.
 */
export function freshBodies(bodies: readonly string[], run: string): (i: number) => string {
  return (i) => {
    const body = bodies[i % bodies.length]!;
    const round = Math.floor(i / bodies.length);
    return round === 0 ? body : body.replaceAll(`"${run}_`, `"${run}r${round}_`);
  };
}

export async function load(
  url: string,
  path: string,
  bodies: readonly string[] | ((i: number) => string),
  opts: { connections: number; seconds: number; rate?: number },
): Promise<LoadResult> {
  const bodyOf = typeof bodies === 'function' ? bodies : (i: number) => bodies[i % bodies.length]!;
  let i = 0;
  // The server's CPU from /proc (whatever runtime: Node or workerd), and the generator's own, so a
  // run whose generator saturated its core is visible as such.
  const serverCpu = serviceCpu(Number(new URL(url).port));
  const s0 = serverCpu();
  const g0 = ownCpuSeconds();
  const r = await autocannon({
    url: `${url}${path}`,
    method: 'POST',
    connections: opts.connections,
    duration: opts.seconds,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: bodyOf(i++) }) }],
  });
  const served = Math.max(1, r.requests.total);
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
    serverCpuUs: ((serverCpu() - s0) * 1e6) / served,
    generatorCores: (ownCpuSeconds() - g0) / opts.seconds,
  };
}

export interface Comparison {
  readonly connections: number;
  readonly seconds: number;
  /** The half-load rate, requests/s. */
  readonly half: number;
  readonly floorMax: LoadResult;
  readonly edgeMax: LoadResult;
  readonly floorHalf: LoadResult;
  readonly edgeHalf: LoadResult;
  /** The edge's /v1/score/batch with 1,000 transactions a request, 2 connections. */
  readonly batch: LoadResult;
  /** The same three runs of a server doing only the required work, when one was given. */
  readonly required?: {
    readonly max: LoadResult;
    readonly half: LoadResult;
    readonly batch: LoadResult;
  };
}

/**
 * Measure the edge against the floor: max load, half load, then the edge's batch route. With
 * `requiredUrl`, a server doing only the required scoring work (bench/servers/required-work.ts) is
 * measured the same way, each of its runs right after the floor's or before the edge's.
 */
export async function compareWithFloor(
  floorUrl: string,
  edgeUrl: string,
  connections = 16,
  seconds = 10,
  requiredUrl?: string,
): Promise<Comparison> {
  const singleRun = `b${Date.now()}`;
  const bodies = transactions(300_000, singleRun);
  const fresh = (from: number) => freshBodies(bodies.slice(from), singleRun);
  // Warm both (JIT, ORT session), then measure at full load, then at half the edge's maximum.
  const warm = (url: string, n: number) =>
    load(url, '/v1/score', bodies.slice(0, n), { connections: 4, seconds: 2 });
  await warm(floorUrl, 1000);
  await warm(edgeUrl, 5000);
  // The required-work server keeps its own state, so it is sent the edge's very bodies.
  if (requiredUrl) await warm(requiredUrl, 5000);
  const full = { connections, seconds };
  const floorMax = await load(floorUrl, '/v1/score', bodies.slice(5000), full);
  const requiredMax = requiredUrl
    ? await load(requiredUrl, '/v1/score', fresh(5000), full)
    : undefined;
  const edgeMax = await load(edgeUrl, '/v1/score', fresh(5000), full);
  const half = Math.max(1, Math.round(edgeMax.rps / 2));
  const atHalf = { ...full, rate: half };
  const floorHalf = await load(floorUrl, '/v1/score', bodies.slice(150_000), atHalf);
  const requiredHalf = requiredUrl
    ? await load(requiredUrl, '/v1/score', fresh(150_000), atHalf)
    : undefined;
  const edgeHalf = await load(edgeUrl, '/v1/score', fresh(150_000), atHalf);
  const batchRun = `B${Date.now()}`;
  const tx = transactions(150_000, batchRun);
  const batchBodies: string[] = [];
  for (let k = 0; k < tx.length; k += 1000)
    batchBodies.push(`{"transactions":[${tx.slice(k, k + 1000).join(',')}]}`);
  const batches = freshBodies(batchBodies, batchRun);
  const batchLoad = { connections: 2, seconds: 10 };
  const requiredBatch = requiredUrl
    ? await load(requiredUrl, '/v1/score/batch', batches, batchLoad)
    : undefined;
  const batch = await load(edgeUrl, '/v1/score/batch', batches, batchLoad);
  return {
    connections,
    seconds,
    half,
    floorMax,
    edgeMax,
    floorHalf,
    edgeHalf,
    batch,
    ...(requiredMax && requiredHalf && requiredBatch
      ? { required: { max: requiredMax, half: requiredHalf, batch: requiredBatch } }
      : {}),
  };
}

/** The comparison as a markdown table with the Vigil / floor ratios (and the required work's). */
export function comparisonTable(c: Comparison, floorLabel: string, edgeLabel: string): string {
  const row = (label: string, max: LoadResult, atHalf: LoadResult) => [
    label,
    fmtInt(max.rps),
    fmt(max.p50),
    fmt(max.p99),
    fmt(atHalf.p50),
    fmt(atHalf.p99),
    fmtInt(max.serverCpuUs),
    fmt(max.generatorCores),
    String(max.errors + atHalf.errors),
  ];
  const ratio = (label: string, max: LoadResult, atHalf: LoadResult) => [
    label,
    fmt(max.rps / c.floorMax.rps),
    '',
    '',
    '',
    fmt(atHalf.p99 / Math.max(c.floorHalf.p99, 1e-9)),
    fmt(max.serverCpuUs / Math.max(c.floorMax.serverCpuUs, 1e-9)),
    '',
    '',
  ];
  const r = c.required;
  return table(
    [
      'server',
      'max load: requests/s',
      'p50 ms',
      'p99 ms',
      `at ${fmtInt(c.half)} req/s: p50 ms`,
      'p99 ms',
      'server CPU µs / request (max load)',
      'load generator CPU, cores',
      'errors',
    ],
    [
      row(floorLabel, c.floorMax, c.floorHalf),
      ...(r ? [row('required work only (bench/servers/required-work.ts)', r.max, r.half)] : []),
      row(edgeLabel, c.edgeMax, c.edgeHalf),
      ...(r ? [ratio('ratio required work / floor', r.max, r.half)] : []),
      ratio('ratio Vigil / floor', c.edgeMax, c.edgeHalf),
    ],
  );
}
