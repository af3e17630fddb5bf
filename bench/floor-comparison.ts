/**
 * The method both edge benchmarks share: the same simulated stream at full load, then at half the
 * edge's maximum, against a parse-and-return Hono floor measured in the same run, plus batches.
 */
import autocannon from 'autocannon';
import { simulate, toRecord } from '../model/src/simulate/index.js';
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
  const r = await autocannon({
    url: `${url}${path}`,
    method: 'POST',
    connections: opts.connections,
    duration: opts.seconds,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: bodyOf(i++) }) }],
  });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
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
}

/** Measure the edge against the floor: max load, half load, then the edge's batch route. */
export async function compareWithFloor(
  floorUrl: string,
  edgeUrl: string,
  connections = 16,
  seconds = 10,
): Promise<Comparison> {
  const singleRun = `b${Date.now()}`;
  const bodies = transactions(300_000, singleRun);
  // Warm both (JIT, ORT session), then measure at full load, then at half the edge's maximum.
  await load(floorUrl, '/v1/score', bodies.slice(0, 1000), { connections: 4, seconds: 2 });
  await load(edgeUrl, '/v1/score', bodies.slice(0, 5000), { connections: 4, seconds: 2 });
  const full = { connections, seconds };
  const floorMax = await load(floorUrl, '/v1/score', bodies.slice(5000), full);
  const edgeMax = await load(
    edgeUrl,
    '/v1/score',
    freshBodies(bodies.slice(5000), singleRun),
    full,
  );
  const half = Math.max(1, Math.round(edgeMax.rps / 2));
  const floorHalf = await load(floorUrl, '/v1/score', bodies.slice(150_000), {
    ...full,
    rate: half,
  });
  const edgeHalf = await load(edgeUrl, '/v1/score', freshBodies(bodies.slice(150_000), singleRun), {
    ...full,
    rate: half,
  });
  const batchRun = `B${Date.now()}`;
  const tx = transactions(150_000, batchRun);
  const batchBodies: string[] = [];
  for (let k = 0; k < tx.length; k += 1000)
    batchBodies.push(`{"transactions":[${tx.slice(k, k + 1000).join(',')}]}`);
  const batch = await load(edgeUrl, '/v1/score/batch', freshBodies(batchBodies, batchRun), {
    connections: 2,
    seconds: 10,
  });
  return { connections, seconds, half, floorMax, edgeMax, floorHalf, edgeHalf, batch };
}

/** The comparison as a markdown table with the Vigil / floor ratios. */
export function comparisonTable(c: Comparison, floorLabel: string, edgeLabel: string): string {
  const row = (label: string, max: LoadResult, atHalf: LoadResult) => [
    label,
    fmtInt(max.rps),
    fmt(max.p50),
    fmt(max.p99),
    fmt(atHalf.p50),
    fmt(atHalf.p99),
    String(max.errors + atHalf.errors),
  ];
  return table(
    [
      'server',
      'max load: requests/s',
      'p50 ms',
      'p99 ms',
      `at ${fmtInt(c.half)} req/s: p50 ms`,
      'p99 ms',
      'errors',
    ],
    [
      row(floorLabel, c.floorMax, c.floorHalf),
      row(edgeLabel, c.edgeMax, c.edgeHalf),
      [
        'ratio Vigil / floor',
        fmt(c.edgeMax.rps / c.floorMax.rps),
        '',
        '',
        '',
        fmt(c.edgeHalf.p99 / Math.max(c.floorHalf.p99, 1e-9)),
        '',
      ],
    ],
  );
}
