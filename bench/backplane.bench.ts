/**
 * The backplane end to end on real services: signed batches → POST /ingest/events → Kafka (acks
 * -1) → consumer group → Postgres → LiveHub. A real Kafka (one KRaft node) and a real PostgreSQL
 * from scripts/services, the backplane in its own process (`node --import tsx backplane/src/main.ts`,
 * as in production), the sender (playing the edges) and a recording LiveHub in this one.
 *
 * Measured: sustained events/s from the first POST until Postgres holds every event; ingest→hub
 * latency at a steady rate below saturation; loss and duplicates (rows vs events sent, distinct
 * event ids, every id at the hub). Baselines in the same run: Postgres alone (the same idempotent
 * writes, no Kafka) and Kafka alone (kafkajs produce of the same messages, acks -1).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { CompressionTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import postgres from 'postgres';
import { eventKey, type VigilEvent } from '@vigil/core';
import { writeEvents } from '../backplane/src/adapters/postgres/event-store.js';
import { migrate } from '../backplane/src/adapters/postgres/migrate.js';
import { decisionEvent, feedbackEvent, signedHeaders } from '../backplane/src/testing/fixtures.js';
import { RecordingHub } from '../backplane/src/testing/recording-hub.js';
import { runServiceScript } from '../scripts/services/service-script.js';
import { startKafka, stopKafka } from '../scripts/services/kafka-test-setup.js';
import { startPostgres, stopPostgres } from '../scripts/services/postgres-test-setup.js';
import { fmt, fmtInt, percentile, table } from './stats.js';

const ROOT = new URL('..', import.meta.url).pathname;
const KAFKA_PORT = Number(process.env.VIGIL_BENCH_KAFKA_PORT ?? 19192);
const POSTGRES_PORT = Number(process.env.VIGIL_BENCH_POSTGRES_PORT ?? 15434);
const SECRET = 'bench-events-secret-0123456789';
const HUB_SECRET = 'bench-hub-secret-0123456789';
/** Events per ingest POST and POSTs in flight during the saturation run. */
const BATCH = 1_000;
const CONCURRENCY = 4;
const EVENTS = Number(process.env.VIGIL_BENCH_EVENTS ?? 100_000);
/** The steady run for latency: an edge outbox flushing every 50 ms, at half the measured capacity. */
const STEADY_LOAD = 0.5;
const STEADY_SECONDS = 10;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** A service from scripts/services, started unless it runs; stop() stops it only if we started it. */
/** Start a service unless it runs already; `stop` stops only one this run started. */
async function service(
  script: string,
  start: () => Promise<unknown>,
  stop: () => Promise<void>,
  port: number,
): Promise<{ stop: () => Promise<void>; wasRunning: boolean }> {
  const running = (await runServiceScript(script, ['status', String(port)])).ok;
  if (!running) {
    const install = await runServiceScript(script, ['install']);
    if (!install.ok) throw new Error(`${script} install failed:\n${install.output}`);
  }
  await start();
  return { stop: running ? () => Promise.resolve() : stop, wasRunning: running };
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds used so far by every process with one of these command names (the Kafka JVM is
 * `java`, PostgreSQL's server and backends `postgres`): where the machine's cores go.
 */
function cpuSecondsOf(names: readonly string[]): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (names.includes(comm)) total += cpuSeconds(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

/** This process's CPU seconds (the sender and the recording hub). */
function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

interface Child {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

async function startBackplaneProcess(env: Record<string, string>): Promise<Child> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(process.env.VIGIL_BENCH_NODE_OPTIONS ?? '').split(' ').filter(Boolean),
      '--import',
      'tsx',
      'backplane/src/main.ts',
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, VIGIL_BACKPLANE_PORT: String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the backplane exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the backplane did not start within 90 s');
    await sleep(200);
  }
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** `n` decisions from `from`, with a fraud verdict on every hundredth. */
function events(run: string, from: number, n: number): VigilEvent[] {
  const out: VigilEvent[] = [];
  for (let i = from; i < from + n; i++) {
    out.push(decisionEvent(i, run));
    if (i % 100 === 99) out.push(feedbackEvent(i, 'fraud', '2018-09-01T00:00:00Z', run));
  }
  return out;
}

/** POST one signed batch until it is accepted (as the edge retries); returns when it was sent. */
async function post(url: string, body: string): Promise<void> {
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

async function countRows(sql: postgres.Sql, run: string): Promise<{ n: number; distinct: number }> {
  const [r] = await sql<{ n: number; distinct: number }[]>`
    SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS distinct
    FROM transactions WHERE transaction_id LIKE ${`tx_${run}_%`}`;
  return r!;
}

/**
 * When Postgres holds `n` decisions. The hub sees an event only after its write has committed, so
 * the moment it has seen all `sent` events is when they were all in Postgres (or a little after);
 * Postgres itself is counted only now and then (a count is not free on the same two cores).
 */
async function waitForRows(
  sql: postgres.Sql,
  run: string,
  n: number,
  hub: RecordingHub,
  sent: number,
): Promise<number> {
  const deadline = Date.now() + 300_000;
  let lastCount = 0;
  for (;;) {
    const now = performance.now();
    if (hub.firstSeen.size >= sent && (await countRows(sql, run)).n >= n) return now;
    if (now - lastCount > 500) {
      lastCount = now;
      const r = await countRows(sql, run);
      if (r.n >= n) return performance.now();
      if (Date.now() > deadline) throw new Error(`only ${r.n} of ${n} rows after 5 minutes`);
    }
    await sleep(10);
  }
}

/** Postgres alone: the consumer's own idempotent writes, 1,000 events a transaction, 4 at once. */
async function baselinePostgres(adminUrl: string, run: string, list: VigilEvent[]) {
  const db = `${run}_pg`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE ${db}`);
  const u = new URL(adminUrl);
  u.pathname = `/${db}`;
  const sql = postgres(u.toString(), { max: CONCURRENCY, onnotice: () => undefined });
  try {
    await migrate(sql);
    const texts = list.map((e) => JSON.stringify(e));
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < list.length) {
          const i = next;
          next += BATCH;
          await writeEvents(sql, list.slice(i, i + BATCH), texts.slice(i, i + BATCH));
        }
      }),
    );
    return list.length / ((performance.now() - t0) / 1000);
  } finally {
    await sql.end();
    await admin.unsafe(`DROP DATABASE ${db}`);
    await admin.end();
  }
}

/** Kafka alone: kafkajs produce of the same messages, idempotent, acks -1, 4 sends at once. */
async function baselineKafka(brokers: string, run: string, list: VigilEvent[]) {
  const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `${run}.baseline`;
  await admin.createTopics({
    topics: [{ topic, numPartitions: 6, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    const messages = list.map((e) => ({ key: eventKey(e), value: JSON.stringify(e) }));
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < messages.length) {
          const i = next;
          next += BATCH;
          await producer.sendBatch({
            topicMessages: [{ topic, messages: messages.slice(i, i + BATCH) }],
            acks: -1,
            compression: CompressionTypes.None,
          });
        }
      }),
    );
    return messages.length / ((performance.now() - t0) / 1000);
  } finally {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

/** The backplane section of docs/benchmarks.md. */
export async function benchBackplane(): Promise<string> {
  const kafka = await service(
    'kafka.sh',
    () => startKafka(KAFKA_PORT),
    () => stopKafka(KAFKA_PORT),
    KAFKA_PORT,
  );
  const pg = await service(
    'postgres.sh',
    () => startPostgres(POSTGRES_PORT),
    () => stopPostgres(POSTGRES_PORT),
    POSTGRES_PORT,
  );
  const brokers = `127.0.0.1:${KAFKA_PORT}`;
  const adminUrl = `postgres://vigil:vigil@127.0.0.1:${POSTGRES_PORT}/vigil`;
  const run = `bench_${Date.now().toString(36)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE ${run}`);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${run}`;
  const sql = postgres(dbUrl.toString(), { max: 1, onnotice: () => undefined });
  const hub = await new RecordingHub(HUB_SECRET).start();
  let backplane: Child | undefined;
  try {
    backplane = await startBackplaneProcess({
      VIGIL_EVENTS_SECRET: SECRET,
      KAFKA_BROKERS: brokers,
      DATABASE_URL: dbUrl.toString(),
      VIGIL_TOPIC_PREFIX: `${run}.`,
      VIGIL_HUB_URL: hub.url,
      VIGIL_HUB_SECRET: HUB_SECRET,
      VIGIL_BACKPLANE_ROLES: 'ingest,consumer',
      VIGIL_LOG_LEVEL: 'warn',
    });
    const url = backplane.url;

    // Warm-up: JIT, connections, the group's first assignment.
    const warm = events(run, 0, 5_000);
    for (let i = 0; i < warm.length; i += BATCH) {
      await post(url, JSON.stringify({ events: warm.slice(i, i + BATCH) }));
    }
    await waitForRows(sql, run, 5_000, hub, warm.length);

    // Saturation: EVENTS decisions (and their verdicts) as fast as the ingest takes them.
    const load = events(run, 5_000, EVENTS);
    const bodies: string[] = [];
    for (let i = 0; i < load.length; i += BATCH) {
      bodies.push(JSON.stringify({ events: load.slice(i, i + BATCH) }));
    }
    const cpu0 = cpuSeconds(backplane.pid);
    const kafkaCpu0 = cpuSecondsOf(['java']);
    const pgCpu0 = cpuSecondsOf(['postgres']);
    const ownCpu0 = ownCpuSeconds();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < bodies.length) await post(url, bodies[next++]!);
      }),
    );
    const tIngested = performance.now();
    const tLanded = await waitForRows(sql, run, 5_000 + EVENTS, hub, warm.length + load.length);
    const cpu = cpuSeconds(backplane.pid) - cpu0;
    const kafkaCpu = cpuSecondsOf(['java']) - kafkaCpu0;
    const pgCpu = cpuSecondsOf(['postgres']) - pgCpu0;
    const ownCpu = ownCpuSeconds() - ownCpu0;
    const runSeconds = (tLanded - t0) / 1000;
    const perK = (sec: number) => `${fmt((sec / load.length) * 1000 * 1000, 0)} ms`;
    const ingestRate = load.length / ((tIngested - t0) / 1000);
    const pipelineRate = load.length / ((tLanded - t0) / 1000);

    // Steady: half the measured capacity in 50 ms slices, each slice one POST, timed to the hub.
    const STEADY_RATE = Math.max(200, Math.round((pipelineRate * STEADY_LOAD) / 100) * 100);
    const steadyFrom = 5_000 + EVENTS;
    const steadyN = STEADY_RATE * STEADY_SECONDS;
    const steady = events(run, steadyFrom, steadyN);
    const perSlice = STEADY_RATE / 20;
    const sentAt = new Map<string, number>();
    const inflight: Promise<void>[] = [];
    const s0 = performance.now();
    for (let i = 0; i < steady.length; i += perSlice) {
      const slice = steady.slice(i, i + perSlice);
      const at = performance.now();
      for (const e of slice) sentAt.set(e.event_id, at);
      inflight.push(post(url, JSON.stringify({ events: slice })));
      const wait = s0 + ((i + perSlice) / STEADY_RATE) * 1000 - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await Promise.all(inflight);
    await waitForRows(
      sql,
      run,
      steadyFrom + steadyN,
      hub,
      warm.length + load.length + steady.length,
    );
    const all = [...warm, ...load, ...steady];
    const hubDeadline = Date.now() + 60_000;
    while (!all.every((e) => hub.firstSeen.has(e.event_id)) && Date.now() < hubDeadline) {
      await sleep(100);
    }
    const latencies = new Float64Array(steady.length);
    steady.forEach((e, i) => {
      latencies[i] =
        (hub.firstSeen.get(e.event_id) ?? Number.POSITIVE_INFINITY) - sentAt.get(e.event_id)!;
    });
    latencies.sort();

    // Loss and duplicates over everything sent.
    const decisions = all.filter((e) => e.type === 'decision').length;
    const verdicts = all.length - decisions;
    const rows = await countRows(sql, run);
    const [fb] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM feedback`;
    const missingAtHub = all.filter((e) => !hub.firstSeen.has(e.event_id)).length;

    await backplane.stop();
    backplane = undefined;
    const pgAlone = await baselinePostgres(adminUrl, run, load);
    const kafkaAlone = await baselineKafka(brokers, run, load);
    // Both baselines need the same two cores: their composition bounds any pipeline doing both.
    const composed = 1 / (1 / pgAlone + 1 / kafkaAlone);

    const ok = (good: boolean) => (good ? '✅' : '❌');
    return [
      '## Backplane: ingest → Kafka → Postgres → LiveHub',
      '',
      `Real services from scripts/services on this machine: one Kafka node (KRaft) and PostgreSQL. The backplane in its own process (ingest and consumer roles; 6 partitions per topic; the consumer writes 1,000-row idempotent INSERTs); the sender, playing the edges, and a recording LiveHub in the benchmark's process. Saturation: ${fmtInt(load.length)} events in signed batches of ${fmtInt(BATCH)}, ${CONCURRENCY} POSTs in flight. Steady: ${fmtInt(STEADY_RATE)} events/s (half the measured capacity) for ${STEADY_SECONDS} s in 50 ms slices, as an edge outbox flushes.`,
      '',
      table(
        ['measure', 'result', 'target'],
        [
          [
            'sustained events/s, first POST → all rows in Postgres',
            `**${fmtInt(pipelineRate)}**`,
            `≥ 10,000 ${ok(pipelineRate >= 10_000)}`,
          ],
          ['ingest alone (202s/s, acks -1)', fmtInt(ingestRate), '—'],
          [
            `ingest → hub latency at ${fmtInt(STEADY_RATE)} events/s, p50 / p99`,
            `${fmt(percentile(latencies, 50), 0)} ms / **${fmt(percentile(latencies, 99), 0)} ms**`,
            `p99 ≤ 500 ms ${ok(percentile(latencies, 99) <= 500)}`,
          ],
          [
            'loss / duplicates: rows vs decisions sent, distinct event ids',
            `${fmtInt(rows.n)} / ${fmtInt(decisions)}, ${fmtInt(rows.distinct)} distinct; verdicts ${fmtInt(fb!.n)} / ${fmtInt(verdicts)}; missing at hub ${missingAtHub}`,
            `zero, zero ${ok(rows.n === decisions && rows.distinct === decisions && fb!.n === verdicts && missingAtHub === 0)}`,
          ],
          [
            'CPU per 1,000 events (saturation run): backplane / Kafka / Postgres / sender + hub',
            `${perK(cpu)} / ${perK(kafkaCpu)} / ${perK(pgCpu)} / ${perK(ownCpu)}`,
            '—',
          ],
          [
            'Kafka broker',
            kafka.wasRunning
              ? 'already running before this run (its JIT warm)'
              : 'started by this run (its JIT still compiling the hot paths: a broker that has run a while costs less per event)',
            '—',
          ],
          [
            `cores busy during the saturation run (of ${cpus().length})`,
            fmt((cpu + kafkaCpu + pgCpu + ownCpu) / runSeconds),
            '—',
          ],
        ],
      ),
      '',
      'Baselines, same run, same events:',
      '',
      table(
        ['path', 'events/s', 'backplane / baseline'],
        [
          [
            'Postgres alone (the same idempotent multi-row INSERTs, 4 at once)',
            fmtInt(pgAlone),
            `${fmt(pipelineRate / pgAlone)}×`,
          ],
          [
            'Kafka alone (kafkajs produce, idempotent, acks -1, 4 at once)',
            fmtInt(kafkaAlone),
            `${fmt(pipelineRate / kafkaAlone)}×`,
          ],
          [
            'both, sharing the machine: 1 / (1/Postgres + 1/Kafka)',
            fmtInt(composed),
            `${fmt(pipelineRate / composed)}×`,
          ],
        ],
      ),
      '',
      `Kafka, Postgres, the backplane and the sender share ${cpus().length} cores, so a pipeline that needs both services cannot pass their composition (${fmtInt(composed)} events/s here) even with no work of its own; the backplane adds HMAC, schema validation at ingest (a structural check at consume), JSON in and out, and the hub, and reaches ${fmt((pipelineRate / composed) * 100, 0)} % of it. Load from other processes on the machine during the run lowers every number alike.`,
      '',
      `The CPU row says the same from the other side. At 10,000 events/s, ${cpus().length} cores give at most ${fmtInt((cpus().length / 10_000) * 1000 * 1000)} ms of CPU per 1,000 events; the Kafka broker and PostgreSQL alone used ${perK(kafkaCpu + pgCpu)} per 1,000 events in this run, before the backplane's own ${perK(cpu)} and the sender's. The target needs about ${fmt(((cpu + kafkaCpu + pgCpu + ownCpu) / load.length) * 10_000, 1)} cores busy at this cost per event.`,
      '',
    ].join('\n');
  } finally {
    await backplane?.stop();
    await hub.close();
    await sql.end();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${run} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await pg.stop();
    await kafka.stop();
  }
}
