/**
 * The backplane end to end on real services: signed batches → POST /ingest/events → Kafka (acks
 * -1) → consumer group → Postgres → LiveHub. A real Kafka (one KRaft node) and a real PostgreSQL
 * from scripts/services, the backplane in its own process or processes (`node --import tsx
 * backplane/src/main.ts`, as in production; see INSTANCES), the sender (playing the edges) and a
 * recording LiveHub in this one.
 *
 * Measured: sustained events/s from the first POST until Postgres holds every event; ingest→hub
 * latency at a steady rate below saturation; loss and duplicates (rows vs events sent, distinct
 * event ids, every id at the hub). Baselines in the same run: Postgres alone (the same idempotent
 * writes, no Kafka), Kafka alone (kafkajs produce of the same messages, acks -1, then a consumer
 * reading them back) and the ingest's checks alone (HMAC, JSON.parse, core's schemas).
 *
 * CPU is counted per process from /proc: the backplane's, the service listening on each port (and
 * its children), this process's; so each baseline's CPU per event, service and client, gives a
 * floor under any pipeline that must do that work — compared with what the cores can give per event
 * at the issue's target rate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { CompressionTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import postgres from 'postgres';
import {
  DECISIONS_TOPIC,
  eventKey,
  FEEDBACK_TOPIC,
  signBody,
  validateIngestBatch,
  verifyBody,
  type VigilEvent,
} from '@vigil/core';
import { writeEvents } from '../backplane/src/adapters/postgres/event-store.js';
import { migrate } from '../backplane/src/adapters/postgres/migrate.js';
import { nodeHmacSha256 } from '../backplane/src/http/node-hmac.js';
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
/**
 * Processes of each pipeline under test (default 1). With more, the first takes the ingest only and
 * the others consume (VIGIL_BACKPLANE_ROLES; docs/operations.md, "Scaling the consumer group").
 * One process does all of the backplane's JavaScript on one thread, which caps it (~100 ms of that
 * thread per 1,000 events) while the other core has room: 1.56–1.63 of 2 cores busy while the
 * events come in. Two processes keep both cores busy — ingest and consumer apart: 9,748 and 7,195
 * events/s in two runs; ingest + consumer and a second consumer: 7,746–9,178 in five — but their
 * steady p99 at half that rate crossed 500 ms in three of six runs (the processes contend for
 * the two cores), so the committed run uses one. Spreading the ingest over both processes cost
 * more per event (smaller sends and writes) than it gained.
 */
const INSTANCES = Number(process.env.VIGIL_BENCH_INSTANCES ?? 1);
/** The steady run for latency: an edge outbox flushing every 50 ms, at half the measured capacity. */
const STEADY_LOAD = 0.5;
const STEADY_SECONDS = 10;
/** The issue's target: events/s sustained from ingest to Postgres. */
const TARGET_RATE = 10_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `work` on each slice [i, i + size) of `n` items, in order, CONCURRENCY slices in flight. */
async function inFlight(
  n: number,
  size: number,
  work: (from: number, to: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const i = next;
        next += size;
        await work(i, i + size);
      }
    }),
  );
}

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

/**
 * CPU seconds (user + system) a process has used, from /proc; with `reaped`, also what its children
 * that have ended used (a Postgres backend's CPU moves to the postmaster's count when it exits).
 */
function cpuSeconds(pid: number, reaped = false): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  let ticks = Number(fields[11]) + Number(fields[12]);
  if (reaped) ticks += Number(fields[13]) + Number(fields[14]);
  return ticks / 100;
}

/** The process listening on 127.0.0.1:`port` (of several holding the socket, the parent). */
function listenerPid(port: number): number {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address ends in :PORT, state 0A is LISTEN, field 9 the socket's inode.
      if (f.length > 9 && f[1]!.endsWith(hex) && f[3] === '0A') inodes.add(`socket:[${f[9]!}]`);
    }
  }
  const holders = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fds = readdirSync(`/proc/${entry}/fd`);
      if (fds.some((fd) => inodes.has(readlinkSync(`/proc/${entry}/fd/${fd}`)))) {
        holders.set(Number(entry), parentOf(Number(entry)));
      }
    } catch {
      // the process ended while we looked, or its fds are not ours to read
    }
  }
  for (const [pid, parent] of holders) if (!holders.has(parent)) return pid;
  throw new Error(`no process found listening on port ${port}`);
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1]);
}

/**
 * CPU seconds used so far by the service listening on `port` — the Kafka JVM, or PostgreSQL's
 * postmaster with its server processes and backends (live, and those that ended) — and only it,
 * whatever else runs on the machine (the test suites' own Kafka and Postgres, say).
 */
function serviceCpu(port: number): () => number {
  const root = listenerPid(port);
  return () => {
    let total = cpuSeconds(root, true);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (parentOf(Number(entry)) === root) total += cpuSeconds(Number(entry));
      } catch {
        // the process ended while we looked (its CPU is now the root's `reaped`)
      }
    }
    return total;
  };
}

/**
 * CPU seconds used so far by every process on the machine, and by the children each has reaped:
 * with the processes measured here subtracted, what others took. (Summed from the processes, as
 * the services are, rather than read from /proc/stat, whose tick-sampled totals do not agree with
 * per-process counts on this VM.)
 */
function allProcessesCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      total += cpuSeconds(Number(entry), true);
    } catch {
      // the process ended while we looked (its CPU is now its parent's `reaped`)
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

async function startBackplaneProcess(
  env: Record<string, string>,
  script = 'backplane/src/main.ts',
): Promise<Child> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(process.env.VIGIL_BENCH_NODE_OPTIONS ?? '').split(' ').filter(Boolean),
      '--import',
      'tsx',
      script,
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

/** Delete this run's topics: a broker kept between runs would otherwise hold every run's events. */
async function dropTopics(brokers: string, topics: string[]): Promise<void> {
  const admin = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    await admin.deleteTopics({ topics });
  } catch {
    // the topics were never created, or the broker is gone: nothing to keep tidy
  } finally {
    await admin.disconnect();
  }
}

/** The sums and counts of the backplane's batch-size histograms, from its instances' /metrics. */
async function batchSizes(instances: readonly Child[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const { url } of instances) {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const m of text.matchAll(
      /^(vigil_backplane_(?:consumer_batch_size|db_write_events)_(?:sum|count)) (\S+)$/gm,
    )) {
      out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2]);
    }
  }
  return out;
}

/**
 * Start `INSTANCES` processes of `script`, instance `i` with `envOf(i)` (one after another: each
 * applies the migrations). The sender posts to the first.
 */
async function startInstances(
  envOf: (i: number) => Record<string, string>,
  script?: string,
): Promise<Child[]> {
  const instances: Child[] = [];
  try {
    for (let i = 0; i < INSTANCES; i++) {
      instances.push(await startBackplaneProcess(envOf(i), script));
    }
    return instances;
  } catch (err) {
    await stopInstances(instances);
    throw err;
  }
}

async function stopInstances(instances: readonly Child[]): Promise<void> {
  await Promise.all(instances.map((c) => c.stop()));
}

const cpuOfInstances = (instances: readonly Child[]) =>
  instances.reduce((sum, c) => sum + cpuSeconds(c.pid), 0);

/** Events sent to warm each pipeline up before it is measured. */
const WARM_UP = 5_000;

/** `n` decisions from `from`, with a fraud verdict on every hundredth. */
function eventsOf(run: string, from: number, n: number): VigilEvent[] {
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
 * Postgres itself is counted then, and otherwise only every 5 s, in case the hub missed some (a
 * count scans the run's rows: every 500 ms it cost Postgres ~10 ms of CPU per 1,000 events).
 */
async function waitForRows(
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

/** One baseline's rate and where its CPU went. */
interface Baseline {
  readonly events: number;
  readonly seconds: number;
  /** The service's CPU seconds (PostgreSQL's processes, the Kafka JVM) during the timed part. */
  readonly serviceCpu: number;
  /** This process's CPU seconds meanwhile: the client (postgres, kafkajs) and nothing else busy. */
  readonly clientCpu: number;
}

/** Time `work` and take the CPU the service and this process used during it. */
async function measured(
  events: number,
  service: () => number,
  work: () => Promise<void>,
): Promise<Baseline> {
  const service0 = service();
  const client0 = ownCpuSeconds();
  const t0 = performance.now();
  await work();
  const seconds = (performance.now() - t0) / 1000;
  return {
    events,
    seconds,
    serviceCpu: service() - service0,
    clientCpu: ownCpuSeconds() - client0,
  };
}

/** A database of its own for one pipeline or baseline, on the bench's Postgres. */
interface RunDatabase {
  readonly url: string;
  readonly sql: postgres.Sql;
  /** Close the connections and drop the database. */
  drop(): Promise<void>;
}

async function runDatabase(adminUrl: string, name: string, max = 1): Promise<RunDatabase> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const sql = postgres(u.toString(), { max, onnotice: () => undefined });
  return {
    url: u.toString(),
    sql,
    async drop() {
      await sql.end();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    },
  };
}

/** Postgres alone: the consumer's own idempotent writes, 1,000 events a transaction, 4 at once. */
async function baselinePostgres(
  adminUrl: string,
  run: string,
  list: VigilEvent[],
  service: () => number,
): Promise<Baseline> {
  const db = await runDatabase(adminUrl, `${run}_pg`, CONCURRENCY);
  const { sql } = db;
  try {
    await migrate(sql);
    const texts = list.map((e) => JSON.stringify(e));
    return await measured(list.length, service, () =>
      inFlight(list.length, BATCH, (i, j) => writeEvents(sql, list.slice(i, j), texts.slice(i, j))),
    );
  } finally {
    await db.drop();
  }
}

/**
 * Kafka alone: kafkajs produce of the same messages, idempotent, acks -1, 4 sends at once; then a
 * consumer group member reading them back (counted from its joining the group to the last message:
 * the fetches and their decoding, nothing done with the messages).
 */
async function baselineKafka(
  brokers: string,
  run: string,
  list: VigilEvent[],
  service: () => number,
): Promise<{ produce: Baseline; consume: Baseline }> {
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
  // The backplane's own fetch sizes (adapters/kafka).
  const consumer = kafka.consumer({
    groupId: `${run}.baseline`,
    maxBytes: 50 * 1_048_576,
    maxBytesPerPartition: 16 * 1_048_576,
    maxWaitTimeInMs: 50,
  });
  try {
    const messages = list.map((e) => ({ key: eventKey(e), value: JSON.stringify(e) }));
    const produce = await measured(messages.length, service, () =>
      inFlight(messages.length, BATCH, (i, j) =>
        producer.sendBatch({
          topicMessages: [{ topic, messages: messages.slice(i, j) }],
          acks: -1,
          compression: CompressionTypes.None,
        }),
      ),
    );

    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let from: { service: number; client: number; t: number } | null = null;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      from ??= { service: service(), client: ownCpuSeconds(), t: performance.now() };
    });
    let seen = 0;
    const consume = await new Promise<Baseline>((resolve, reject) => {
      const deadline = setTimeout(
        () => reject(new Error('Kafka consume baseline: 5 min')),
        300_000,
      );
      consumer
        .run({
          eachBatch: ({ batch }) => {
            seen += batch.messages.length;
            if (seen >= messages.length && from) {
              clearTimeout(deadline);
              resolve({
                events: seen,
                seconds: (performance.now() - from.t) / 1000,
                serviceCpu: service() - from.service,
                clientCpu: ownCpuSeconds() - from.client,
              });
            }
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
    return { produce, consume };
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

/**
 * The ingest's checks alone, in this process: each batch's signature (HMAC-SHA256), JSON.parse and
 * core's validateIngestBatch, as every implementation of the issue must do for every event.
 */
async function baselineChecks(bodies: readonly string[], events: number): Promise<Baseline> {
  const now = Date.now() / 1000;
  const signed = await Promise.all(bodies.map((b) => signBody(nodeHmacSha256, SECRET, b, now)));
  return measured(
    events,
    () => 0,
    async () => {
      for (let i = 0; i < bodies.length; i++) {
        const check = await verifyBody(
          nodeHmacSha256,
          SECRET,
          bodies[i]!,
          signed[i],
          Date.now() / 1000,
        );
        if (!check.ok || !validateIngestBatch(JSON.parse(bodies[i]!)).ok) {
          throw new Error('a benchmark batch failed the ingest checks');
        }
      }
    },
  );
}

/** A saturation run's rates and where the CPU went (seconds). */
interface Saturation {
  readonly ingestRate: number;
  readonly pipelineRate: number;
  readonly seconds: number;
  readonly cpu: { target: number; kafka: number; pg: number; own: number; others: number };
}

/** What a saturation run sends, and how the services' CPU is read. */
interface SaturationLoad {
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
async function saturate(
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
async function saturateRequiredWork(
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
  const kafkaService = serviceCpu(KAFKA_PORT);
  const pgService = serviceCpu(POSTGRES_PORT);
  const adminUrl = `postgres://vigil:vigil@127.0.0.1:${POSTGRES_PORT}/vigil`;
  const run = `bench_${Date.now().toString(36)}`;
  const db = await runDatabase(adminUrl, run);
  const { sql } = db;
  const hub = await new RecordingHub(HUB_SECRET).start();
  let backplane: Child[] = [];
  try {
    backplane = await startInstances((i) => ({
      VIGIL_EVENTS_SECRET: SECRET,
      KAFKA_BROKERS: brokers,
      DATABASE_URL: db.url,
      VIGIL_TOPIC_PREFIX: `${run}.`,
      VIGIL_HUB_URL: hub.url,
      VIGIL_HUB_SECRET: HUB_SECRET,
      VIGIL_BACKPLANE_ROLES: INSTANCES === 1 ? 'ingest,consumer' : i === 0 ? 'ingest' : 'consumer',
      VIGIL_LOG_LEVEL: 'warn',
    }));
    const url = backplane[0]!.url;

    // Saturation: EVENTS decisions (and their verdicts) as fast as the ingest takes them.
    const warm = eventsOf(run, 0, WARM_UP);
    const load = eventsOf(run, WARM_UP, EVENTS);
    const bodies: string[] = [];
    for (let i = 0; i < load.length; i += BATCH) {
      bodies.push(JSON.stringify({ events: load.slice(i, i + BATCH) }));
    }
    const sizes0 = await batchSizes(backplane);
    const saturation: SaturationLoad = {
      run,
      bodies,
      events: load.length,
      decisions: EVENTS,
      kafkaService,
      pgService,
    };
    const sat = await saturate(backplane, sql, hub, saturation);
    const sizes1 = await batchSizes(backplane);
    const meanOf = (name: string) =>
      (sizes1[`${name}_sum`]! - sizes0[`${name}_sum`]!) /
      (sizes1[`${name}_count`]! - sizes0[`${name}_count`]!);
    const perBatch = meanOf('vigil_backplane_consumer_batch_size');
    const perWrite = meanOf('vigil_backplane_db_write_events');
    const { target: cpu, kafka: kafkaCpu, pg: pgCpu, own: ownCpu } = sat.cpu;
    const runSeconds = sat.seconds;
    const othersBusy = sat.cpu.others / runSeconds;
    const perK = (sec: number) => `${fmt((sec / load.length) * 1000 * 1000, 0)} ms`;
    const { ingestRate, pipelineRate } = sat;

    // Steady: half the measured capacity in 50 ms slices, each slice one POST, timed to the hub.
    const STEADY_RATE = Math.max(200, Math.round((pipelineRate * STEADY_LOAD) / 100) * 100);
    const steadyFrom = WARM_UP + EVENTS;
    const steadyN = STEADY_RATE * STEADY_SECONDS;
    const steady = eventsOf(run, steadyFrom, steadyN);
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

    await stopInstances(backplane);
    backplane = [];
    const req = await saturateRequiredWork(adminUrl, brokers, saturation);
    const pgBase = await baselinePostgres(adminUrl, run, load, pgService);
    const { produce: kafkaBase, consume: consumeBase } = await baselineKafka(
      brokers,
      run,
      load,
      kafkaService,
    );
    const checksBase = await baselineChecks(bodies, load.length);
    const pgAlone = pgBase.events / pgBase.seconds;
    const kafkaAlone = kafkaBase.events / kafkaBase.seconds;
    // Both baselines need the same cores: where each is bound by CPU, their composition bounds
    // any pipeline doing both.
    const composed = 1 / (1 / pgAlone + 1 / kafkaAlone);

    // The CPU bound: what producing to Kafka and writing to Postgres cost per event by themselves,
    // each with its client, against what the machine's cores give per event at the target rate.
    const cores = cpus().length;
    const msPerK = (cpuS: number, n: number) => (cpuS / n) * 1e6;
    const baseMsPerK = (b: Baseline) => msPerK(b.serviceCpu + b.clientCpu, b.events);
    const busy = (b: Baseline) => (b.serviceCpu + b.clientCpu) / b.seconds;
    const budgetMsPerK = (cores / TARGET_RATE) * 1e6;
    const floorMsPerK = baseMsPerK(pgBase) + baseMsPerK(kafkaBase);
    // What the issue requires of every implementation besides: check and validate, consume.
    const fullFloorMsPerK = floorMsPerK + baseMsPerK(consumeBase) + baseMsPerK(checksBase);
    /** Whether `ms` per 1,000 events fits the budget, said plainly. */
    const verdict = (ms: number, even: string) =>
      ms > budgetMsPerK
        ? `That exceeds the budget by ${fmt((ms / budgetMsPerK - 1) * 100, 0)} %: **${fmtInt(TARGET_RATE)} events/s is not reachable on this machine ${even}**; this work alone would keep ${cores} cores busy at ${fmtInt((cores * 1e6) / ms)} events/s, and needs ${fmt((ms / 1e6) * TARGET_RATE, 1)} cores at ${fmtInt(TARGET_RATE)} events/s.`
        : `That fits within the budget, leaving ${fmt(budgetMsPerK - ms, 0)} ms per 1,000 events for the rest: this bound does not rule out ${fmtInt(TARGET_RATE)} events/s on this machine (this work alone would keep ${cores} cores busy at ${fmtInt((cores * 1e6) / ms)} events/s).`;
    const bothBusy = Math.min(busy(pgBase), busy(kafkaBase)) >= 0.9 * cores;
    /** A baseline's row; `service` null for work done in this process alone. */
    const baselineRow = (
      name: string,
      b: Baseline,
      service: string | null,
      client: string,
      compare = true,
    ) => [
      name,
      fmtInt(b.events / b.seconds),
      service === null
        ? `**${fmt(msPerK(b.clientCpu, b.events), 0)} ms** ${client}`
        : `${fmt(msPerK(b.serviceCpu, b.events), 0)} ms ${service} + ${fmt(msPerK(b.clientCpu, b.events), 0)} ms ${client} = **${fmt(baseMsPerK(b), 0)} ms**`,
      fmt(busy(b)),
      compare ? `${fmt(pipelineRate / (b.events / b.seconds))}×` : '—',
    ];

    const ok = (good: boolean) => (good ? '✅' : '❌');
    return [
      '## Backplane: ingest → Kafka → Postgres → LiveHub',
      '',
      `Real services from scripts/services on this machine: one Kafka node (KRaft) and PostgreSQL. The backplane as ${INSTANCES === 1 ? 'one process (ingest and consumer roles; ' : `${INSTANCES} processes: one with the ingest role, ${INSTANCES - 1 === 1 ? 'one' : INSTANCES - 1} with the consumer role (`}6 partitions per topic; the consumer writes the batches that arrive together, up to 2,000 events a write and 4 writes at once, as 1,000-row idempotent INSERTs); the sender, playing the edges, and a recording LiveHub in the benchmark's process. Saturation: ${fmtInt(load.length)} events in signed batches of ${fmtInt(BATCH)}, ${CONCURRENCY} POSTs in flight. Steady: ${fmtInt(STEADY_RATE)} events/s (half the measured capacity) for ${STEADY_SECONDS} s in 50 ms slices, as an edge outbox flushes.`,
      '',
      table(
        ['measure', 'result', 'target'],
        [
          [
            'sustained events/s, first POST → all rows in Postgres',
            `**${fmtInt(pipelineRate)}**`,
            `≥ ${fmtInt(TARGET_RATE)} ${ok(pipelineRate >= TARGET_RATE)}`,
          ],
          [
            'required work only (same run, same load; bench/servers/backplane-required-work.ts): events/s, and the backplane as a share of it',
            `${fmtInt(req.pipelineRate)}; backplane ${fmt(pipelineRate / req.pipelineRate)}×`,
            '—',
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
            'CPU per 1,000 events (saturation run): backplane processes / Kafka / Postgres / sender + hub',
            `${perK(cpu)} / ${perK(kafkaCpu)} / ${perK(pgCpu)} / ${perK(ownCpu)}`,
            '—',
          ],
          [
            'the same for the required-work pipeline: its processes / Kafka / Postgres / sender + hub',
            `${perK(req.cpu.target)} / ${perK(req.cpu.kafka)} / ${perK(req.cpu.pg)} / ${perK(req.cpu.own)}`,
            '—',
          ],
          [
            'events per consumed batch (one partition) / per Postgres write (batches that arrived together), mean',
            `${fmt(perBatch, 0)} / ${fmt(perWrite, 0)}`,
            '—',
          ],
          [
            'Kafka broker',
            kafka.wasRunning
              ? 'already running before this run (a broker costs less per event for a few runs after it starts, as its JIT compiles the hot paths)'
              : 'started by this run (its JIT still compiling the hot paths: a broker that has run a while costs less per event)',
            '—',
          ],
          [
            `cores busy during the saturation run (of ${cpus().length}): the processes above / others on the machine`,
            `${fmt((cpu + kafkaCpu + pgCpu + ownCpu) / runSeconds)} / ${fmt(Math.max(0, othersBusy))}`,
            '—',
          ],
        ],
      ),
      '',
      "Baselines, same run, same events, one at a time with the backplane stopped. CPU is counted for the service alone (the process listening on its port and its children: the Kafka JVM; PostgreSQL's postmaster and backends) and for this process, which then runs only the client:",
      '',
      table(
        [
          'path',
          'events/s',
          'CPU per 1,000 events: service + client',
          `cores busy (of ${cores})`,
          'backplane / baseline',
        ],
        [
          baselineRow(
            'Postgres alone (the same idempotent multi-row INSERTs, 4 at once)',
            pgBase,
            'PostgreSQL',
            'postgres client',
          ),
          baselineRow(
            'Kafka produce alone (kafkajs, idempotent, acks -1, 4 sends at once)',
            kafkaBase,
            'Kafka JVM',
            'kafkajs',
          ),
          [
            'both, sharing the machine: 1 / (1/Postgres + 1/Kafka)',
            fmtInt(composed),
            `**${fmt(floorMsPerK, 0)} ms**`,
            '—',
            `${fmt(pipelineRate / composed)}×`,
          ],
          baselineRow(
            'Kafka consume alone (a group member reading those messages back, the backplane’s fetch sizes)',
            consumeBase,
            'Kafka JVM',
            'kafkajs',
            false,
          ),
          baselineRow(
            'ingest checks alone (each batch’s HMAC, JSON.parse, core’s validateIngestBatch)',
            checksBase,
            null,
            'in this process',
            false,
          ),
        ],
      ),
      '',
      `The composition is a ceiling only where each baseline is bound by CPU, keeping every core busy: then its rate is all the machine can do of that work, and a pipeline that does both pays for both. ` +
        (bothBusy
          ? `Both were here (Postgres alone ${fmt(busy(pgBase))}, Kafka alone ${fmt(busy(kafkaBase))} of ${cores} cores busy), so a pipeline that needs both services cannot pass ${fmtInt(composed)} events/s on this machine even with no work of its own; the backplane adds HMAC, schema validation at ingest (a structural check at consume), JSON in and out, and the hub, and reaches ${fmt((pipelineRate / composed) * 100, 0)} % of it.`
          : `They were not (Postgres alone kept ${fmt(busy(pgBase))}, Kafka alone ${fmt(busy(kafkaBase))} of ${cores} cores busy: a baseline that leaves cores idle is held back by something else, its requests' round trips or one thread of JavaScript), so the composition (${fmtInt(composed)} events/s) is not a strict ceiling. The CPU bound below holds either way.`),
      '',
      `**CPU bound.** At ${fmtInt(TARGET_RATE)} events/s, ${cores} cores give at most **${fmt(budgetMsPerK, 0)} ms of CPU per 1,000 events**. Any pipeline that both produces every event to Kafka (idempotent, acks -1) and writes it to these tables needs at least the CPU of those two baselines, each with its client, at the batch sizes the backplane uses (${fmtInt(BATCH)} events per send and per statement): ${fmt(baseMsPerK(pgBase), 0)} ms (Postgres alone) + ${fmt(baseMsPerK(kafkaBase), 0)} ms (Kafka produce alone) = **${fmt(floorMsPerK, 0)} ms per 1,000 events**. ${verdict(floorMsPerK, 'even with zero backplane work')} The issue requires more of any implementation: consuming every event back from Kafka (${fmt(baseMsPerK(consumeBase), 0)} ms) and checking every batch's signature and every event against core's schemas (${fmt(baseMsPerK(checksBase), 0)} ms), which makes **${fmt(fullFloorMsPerK, 0)} ms per 1,000 events**. ${verdict(fullFloorMsPerK, 'even if the backplane did nothing more than that')} Both bounds leave out what the pipeline also has to do — the HTTP ingest, the JSON between the steps, committing offsets, publishing to the hub — so they err in the pipeline's favour, as does measuring Kafka on a broker already warmed by the ${fmtInt(all.length)} events of the runs above. Other processes on the machine (the saturation run's row above) take cores from every rate here; the bounds use CPU per event.`,
      '',
      `The pipeline itself, in the saturation run: the Kafka broker and PostgreSQL used ${perK(kafkaCpu + pgCpu)} per 1,000 events (the consume included), the backplane ${perK(cpu)} and the sender ${perK(ownCpu)}; at this cost per event, ${fmtInt(TARGET_RATE)} events/s would need about ${fmt(((cpu + kafkaCpu + pgCpu + ownCpu) / load.length) * TARGET_RATE, 1)} cores busy.`,
      '',
      `**Required work only.** The same warm-up and saturation, in the same run, against a pipeline that does only what the issue requires of every event and nothing of the backplane's own (bench/servers/backplane-required-work.ts: a bare node:http handler checking the signature, parsing and validating with core's schemas and producing with kafkajs, idempotent, acks -1; a kafkajs group member writing each batch with the backplane's own idempotent statement, grouped as the backplane groups them, posting the live events to the hub, then committing — no Hono, metrics, logs, retries or queues; as many processes as the backplane's): **${fmtInt(req.pipelineRate)} events/s**, with ${fmt((req.cpu.target + req.cpu.kafka + req.cpu.pg + req.cpu.own) / req.seconds)} of ${cores} cores busy; ${fmt(((req.cpu.target + req.cpu.kafka + req.cpu.pg + req.cpu.own) / load.length) * 1e6, 0)} ms of CPU per 1,000 events in all, against the ${fmt(budgetMsPerK, 0)} ms that ${fmtInt(TARGET_RATE)} events/s allows — with every core busy, that cost per event allows at most ${fmtInt((cores * 1e6) / (((req.cpu.target + req.cpu.kafka + req.cpu.pg + req.cpu.own) / load.length) * 1e6))} events/s. ${req.pipelineRate >= TARGET_RATE ? `It reaches the target: the backplane's own work is what keeps it from ${fmtInt(TARGET_RATE)} events/s here.` : `Even this pipeline ${req.pipelineRate >= pipelineRate ? 'misses' : 'misses, like the backplane,'} the target on this machine; the backplane reaches ${fmt((pipelineRate / req.pipelineRate) * 100, 0)} % of its rate.`}`,
      '',
    ].join('\n');
  } finally {
    await stopInstances(backplane);
    await hub.close();
    await db.drop();
    await dropTopics(brokers, [`${run}.${DECISIONS_TOPIC}`, `${run}.${FEEDBACK_TOPIC}`]);
    await pg.stop();
    await kafka.stop();
  }
}
