/**
 * The backplane benchmark's runs: a saturation run (warm up, then POST as fast as the ingest takes
 * it until Postgres holds every event), against the backplane or the required-work pipeline.
 */
import type postgres from 'postgres';
import { DECISIONS_TOPIC, FEEDBACK_TOPIC, type VigilEvent } from '@vigil/core';
import { eventStream, signedHeaders } from '../backplane/src/testing/fixtures.js';
import { RecordingHub } from '../backplane/src/testing/recording-hub.js';
import {
  BATCH,
  type Child,
  cpuOfInstances,
  dropTopics,
  HUB_SECRET,
  inFlight,
  INSTANCES,
  runDatabase,
  SECRET,
  sleep,
  startInstances,
  stopInstances,
} from './backplane-setup.js';
import { allProcessesCpuSeconds, ownCpuSeconds } from './proc-cpu.js';

/** Events sent to warm each pipeline up before it is measured. */
export const WARM_UP = 5_000;

/** `n` decisions from `from`, with a fraud verdict on every hundredth. */
export const eventsOf = (run: string, from: number, n: number): VigilEvent[] =>
  eventStream(run, from, n, 100);

/** POST one signed batch until it is accepted (as the edge retries); returns when it was sent. */
export async function post(url: string, body: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${url}/ingest/events`, {
      method: 'POST',
      body,
      headers: await signedHeaders(SECRET, body),
    });
    await res.arrayBuffer();
    if (res.status === 202) return;
    if (res.status < 500) throw new Error(`ingest answered ${res.status}`);
    await sleep(Math.min(2_000, 50 * 2 ** attempt));
  }
}

export async function countRows(
  sql: postgres.Sql,
  run: string,
): Promise<{ n: number; distinct: number }> {
  const [r] = await sql<{ n: number; distinct: number }[]>`
    SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS distinct
    FROM transactions WHERE transaction_id LIKE ${`tx_${run}_%`}`;
  return r!;
}

/**
 * When Postgres holds `n` decisions. The hub sees an event only after its write has committed, so
 * the moment it has seen all `sent` events is when they were all in Postgres (or a little after);
 * Postgres itself is counted then, and otherwise only every 5 s, in case the hub missed some (a
 * count scans the run's rows: counted often, it costs Postgres CPU the run measures;
 * docs/measurements.md).
 */
export async function waitForRows(
  sql: postgres.Sql,
  run: string,
  n: number,
  hub: RecordingHub,
  sent: number,
): Promise<number> {
  const deadline = Date.now() + 300_000;
  let lastCount = performance.now();
  for (;;) {
    const now = performance.now();
    if (hub.firstSeen.size >= sent && (await countRows(sql, run)).n >= n) return now;
    if (now - lastCount > 5_000) {
      lastCount = now;
      const r = await countRows(sql, run);
      if (r.n >= n) return performance.now();
      if (Date.now() > deadline) throw new Error(`only ${r.n} of ${n} rows after 5 minutes`);
    }
    await sleep(10);
  }
}

/** A saturation run's rates and where the CPU went (seconds). */
export interface Saturation {
  readonly ingestRate: number;
  readonly pipelineRate: number;
  readonly seconds: number;
  readonly cpu: { target: number; kafka: number; pg: number; own: number; others: number };
}

/** What a saturation run sends, and how the services' CPU is read. */
export interface SaturationLoad {
  readonly run: string;
  readonly bodies: readonly string[];
  readonly events: number;
  readonly decisions: number;
  readonly kafkaService: () => number;
  readonly pgService: () => number;
}

/**
 * Warm `targets` up (JIT, connections, the group's first assignment: 5,000 events), then POST
 * `bodies` (`events` events, `decisions` of them decisions) as fast as it takes them, until
 * Postgres holds every decision.
 */
export async function saturate(
  targets: readonly Child[],
  sql: postgres.Sql,
  hub: RecordingHub,
  load: SaturationLoad,
): Promise<Saturation> {
  const { run, bodies, events, decisions, kafkaService, pgService } = load;
  const warm = eventsOf(run, 0, WARM_UP);
  for (let i = 0; i < warm.length; i += BATCH) {
    await post(targets[0]!.url, JSON.stringify({ events: warm.slice(i, i + BATCH) }));
  }
  await waitForRows(sql, run, WARM_UP, hub, warm.length);
  const allCpu0 = allProcessesCpuSeconds();
  const cpu0 = cpuOfInstances(targets);
  const kafkaCpu0 = kafkaService();
  const pgCpu0 = pgService();
  const ownCpu0 = ownCpuSeconds();
  const t0 = performance.now();
  await inFlight(bodies.length, 1, (i) => post(targets[0]!.url, bodies[i]!));
  const tIngested = performance.now();
  const tLanded = await waitForRows(sql, run, WARM_UP + decisions, hub, warm.length + events);
  const seconds = (tLanded - t0) / 1000;
  const cpu = {
    target: cpuOfInstances(targets) - cpu0,
    kafka: kafkaService() - kafkaCpu0,
    pg: pgService() - pgCpu0,
    own: ownCpuSeconds() - ownCpu0,
    others: 0,
  };
  cpu.others = allProcessesCpuSeconds() - allCpu0 - (cpu.target + cpu.kafka + cpu.pg + cpu.own);
  return {
    ingestRate: events / ((tIngested - t0) / 1000),
    pipelineRate: events / seconds,
    seconds,
    cpu,
  };
}

/**
 * The same saturation against bench/servers/backplane-required-work.ts — a pipeline doing only
 * the work the issue requires — with its own database, topics, consumer group and hub.
 */
export async function saturateRequiredWork(
  adminUrl: string,
  brokers: string,
  load: SaturationLoad,
): Promise<Saturation> {
  const name = `${load.run}_req`;
  const db = await runDatabase(adminUrl, name);
  const hub = await new RecordingHub(HUB_SECRET).start();
  let children: Child[] = [];
  try {
    children = await startInstances(
      (i) => ({
        ROLES: INSTANCES === 1 ? 'ingest,consumer' : i === 0 ? 'ingest' : 'consumer',
        EVENTS_SECRET: SECRET,
        KAFKA_BROKERS: brokers,
        DATABASE_URL: db.url,
        TOPIC_PREFIX: `${name}.`,
        HUB_URL: hub.url,
        HUB_SECRET,
      }),
      'bench/servers/backplane-required-work.ts',
    );
    return await saturate(children, db.sql, hub, load);
  } finally {
    await stopInstances(children);
    await hub.close();
    await db.drop();
    await dropTopics(brokers, [`${name}.${DECISIONS_TOPIC}`, `${name}.${FEEDBACK_TOPIC}`]);
  }
}

/**
 * Steady: `rate` events/s for `seconds` s in 50 ms slices, each slice one POST, as an edge outbox
 * flushes; returns when Postgres holds them (`sentBefore` events were sent before these).
 */
export async function steadyRun(
  url: string,
  sql: postgres.Sql,
  hub: RecordingHub,
  run: string,
  from: number,
  rate: number,
  seconds: number,
  sentBefore: number,
): Promise<{ events: VigilEvent[]; sentAt: Map<string, number> }> {
  const n = rate * seconds;
  const events = eventsOf(run, from, n);
  const perSlice = rate / 20;
  const sentAt = new Map<string, number>();
  const inflight: Promise<void>[] = [];
  const s0 = performance.now();
  for (let i = 0; i < events.length; i += perSlice) {
    const slice = events.slice(i, i + perSlice);
    const at = performance.now();
    for (const e of slice) sentAt.set(e.event_id, at);
    inflight.push(post(url, JSON.stringify({ events: slice })));
    const wait = s0 + ((i + perSlice) / rate) * 1000 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await Promise.all(inflight);
  await waitForRows(sql, run, from + n, hub, sentBefore + events.length);
  return { events, sentAt };
}

/** Each event's ingest → hub latency (ms), sorted; an event the hub never saw counts as infinite. */
export function hubLatencies(
  events: readonly VigilEvent[],
  sentAt: ReadonlyMap<string, number>,
  hub: RecordingHub,
): Float64Array {
  const latencies = new Float64Array(events.length);
  events.forEach((e, i) => {
    latencies[i] =
      (hub.firstSeen.get(e.event_id) ?? Number.POSITIVE_INFINITY) - sentAt.get(e.event_id)!;
  });
  return latencies.sort();
}

/** Loss and duplicates over everything sent: rows and verdicts in Postgres, events at the hub. */
export interface Loss {
  readonly rows: number;
  readonly distinct: number;
  readonly decisions: number;
  readonly verdicts: number;
  readonly feedbackRows: number;
  readonly missingAtHub: number;
}

/** Waits (up to 60 s) for the hub to have seen every event of `all`, then counts what is missing. */
export async function lossOf(
  sql: postgres.Sql,
  run: string,
  all: readonly VigilEvent[],
  hub: RecordingHub,
): Promise<Loss> {
  const hubDeadline = Date.now() + 60_000;
  while (!all.every((e) => hub.firstSeen.has(e.event_id)) && Date.now() < hubDeadline) {
    await sleep(100);
  }
  const decisions = all.filter((e) => e.type === 'decision').length;
  const rows = await countRows(sql, run);
  const [fb] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM feedback`;
  return {
    rows: rows.n,
    distinct: rows.distinct,
    decisions,
    verdicts: all.length - decisions,
    feedbackRows: fb!.n,
    missingAtHub: all.filter((e) => !hub.firstSeen.has(e.event_id)).length,
  };
}
