import { N_FEATURES, newCustomerState, newTerminalState, stepInPlace } from '@vigil/core';
import { replayFeatures } from '@vigil/model';
import type { SimulatedDataset } from '@vigil/sim';
import { fmt, fmtInt, summarize, table, best } from './stats.js';

/**
 * The same walk over the stream as replayFeatures, doing no feature work: it reads the columns and
 * writes a feature row. The memory-traffic floor any engine pays, measured in the same run.
 */
function floorPass(ds: SimulatedDataset, X: Float32Array): void {
  for (let i = 0; i < ds.length; i++) {
    const o = i * N_FEATURES;
    X[o] = ds.amount[i]!;
    X[o + 1] = ds.timeSec[i]! + ds.customer[i]! + ds.terminal[i]!;
    for (let f = 2; f < N_FEATURES; f++) X[o + f] = f;
  }
}

/** Throughput of the whole replay and per-call latency of one engine step. */
export function benchFeatureEngine(ds: SimulatedDataset): string {
  const X = new Float32Array(ds.length * N_FEATURES);
  const engineMs = best(3, () => void replayFeatures(ds));
  const floorMs = best(3, () => floorPass(ds, X));
  const engineTps = (ds.length / engineMs) * 1000;
  const floorTps = (ds.length / floorMs) * 1000;

  // Per-call latency: one customer and terminal with a realistic month of history, timed call by
  // call; the same timer around an empty call is the harness overhead.
  const c = newCustomerState();
  const t = newTerminalState();
  const out = new Float32Array(N_FEATURES);
  const ev = { timeSec: 1_530_000_000, amount: 42 };
  const n = 200_000;
  const lat = new Float64Array(n);
  const empty = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ev.timeSec += 1_300; // ~2 transactions a day on this card
    const a = process.hrtime.bigint();
    stepInPlace(c, t, ev, out);
    const b = process.hrtime.bigint();
    lat[i] = Number(b - a);
    const d = process.hrtime.bigint();
    empty[i] = Number(process.hrtime.bigint() - d);
  }
  const l = summarize(lat);
  const e = summarize(empty);
  return [
    '## Feature engine (core)',
    '',
    `Replay of the default simulated stream (${fmtInt(ds.length)} transactions, labels fed back 7 days late) through \`replayFeatures\`, single-threaded, best of 3; the floor is the same walk writing a row with no feature work.`,
    '',
    table(
      ['pass', 'transactions/s', 'time'],
      [
        [
          'core engine (computeFeatures + updates + labels)',
          fmtInt(engineTps),
          `${fmt(engineMs / 1000)} s`,
        ],
        ['floor (read columns, write a row)', fmtInt(floorTps), `${fmt(floorMs / 1000)} s`],
        ['ratio engine / floor', fmt(engineTps / floorTps), ''],
      ],
    ),
    '',
    `One \`stepInPlace\` call timed alone (${fmtInt(n)} calls): p50 ${fmtInt(l.p50)} ns, p99 ${fmtInt(l.p99)} ns; the timer around an empty call: p50 ${fmtInt(e.p50)} ns, p99 ${fmtInt(e.p99)} ns.`,
    '',
  ].join('\n');
}
