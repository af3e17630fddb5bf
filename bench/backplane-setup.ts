/**
 * The backplane benchmark's settings and machinery: the services from scripts/services, backplane
 * processes (`node --import tsx backplane/src/main.ts`, as in production), a database per run.
 */
import { Kafka, logLevel } from 'kafkajs';
import postgres from 'postgres';
import { runServiceScript } from '../scripts/services/service-script.js';
import { type Child, startScript } from './child-process.js';
import { cpuSeconds } from './proc-cpu.js';

export type { Child } from './child-process.js';

export const KAFKA_PORT = Number(process.env.VIGIL_BENCH_KAFKA_PORT ?? 19192);
export const POSTGRES_PORT = Number(process.env.VIGIL_BENCH_POSTGRES_PORT ?? 15434);
export const SECRET = 'bench-events-secret-0123456789';
export const HUB_SECRET = 'bench-hub-secret-0123456789';
/** Events per ingest POST and POSTs in flight during the saturation run. */
export const BATCH = 1_000;
export const CONCURRENCY = 4;
export const EVENTS = Number(process.env.VIGIL_BENCH_EVENTS ?? 100_000);
/**
 * Processes of each pipeline under test (default 1). With more, the first takes the ingest only and
 * the others consume (VIGIL_BACKPLANE_ROLES; docs/operations.md, "Scaling the consumer group").
 * One process does all of the backplane's JavaScript on one thread, which caps it while the other
 * core has room; two keep both cores busy but contend for them, and their steady p99 is less
 * reliable, so the committed run uses one (the runs that decided it: docs/operations.md, "One
 * backplane process or two on two cores").
 */
export const INSTANCES = Number(process.env.VIGIL_BENCH_INSTANCES ?? 1);
/** The steady run for latency: an edge outbox flushing every 50 ms, at half the measured capacity. */
export const STEADY_LOAD = 0.5;
export const STEADY_SECONDS = 10;
/** The target: events/s sustained from ingest to Postgres. */
export const TARGET_RATE = 10_000;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `work` on each slice [i, i + size) of `n` items, in order, CONCURRENCY slices in flight. */
export async function inFlight(
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

/** Start a service on `port` unless it runs already; `stop` stops only one this run started. */
export async function service(
  script: string,
  port: number,
  start: (port: number) => Promise<unknown>,
  stop: (port: number) => Promise<void>,
): Promise<{ stop: () => Promise<void>; wasRunning: boolean }> {
  const running = (await runServiceScript(script, ['status', String(port)])).ok;
  if (!running) {
    const install = await runServiceScript(script, ['install']);
    if (!install.ok) throw new Error(`${script} install failed:\n${install.output}`);
  }
  await start(port);
  return { stop: () => (running ? Promise.resolve() : stop(port)), wasRunning: running };
}

/** Delete this run's topics: a broker kept between runs would otherwise hold every run's events. */
export async function dropTopics(brokers: string, topics: string[]): Promise<void> {
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
export async function batchSizes(instances: readonly Child[]): Promise<Record<string, number>> {
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
export async function startInstances(
  envOf: (i: number) => Record<string, string>,
  script = 'backplane/src/main.ts',
): Promise<Child[]> {
  const instances: Child[] = [];
  const nodeArgs = (process.env.VIGIL_BENCH_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  try {
    for (let i = 0; i < INSTANCES; i++) {
      instances.push(
        await startScript(script, {
          env: envOf(i),
          portVariable: 'VIGIL_BACKPLANE_PORT',
          healthPath: '/healthz',
          timeoutSeconds: 90,
          nodeArgs,
        }),
      );
    }
    return instances;
  } catch (err) {
    await stopInstances(instances);
    throw err;
  }
}

export async function stopInstances(instances: readonly Child[]): Promise<void> {
  await Promise.all(instances.map((c) => c.stop()));
}

export const cpuOfInstances = (instances: readonly Child[]) =>
  instances.reduce((sum, c) => sum + cpuSeconds(c.pid), 0);

/** A database of its own for one pipeline or baseline, on the bench's Postgres. */
export interface RunDatabase {
  readonly url: string;
  readonly sql: postgres.Sql;
  /** Close the connections and drop the database. */
  drop(): Promise<void>;
}

export async function runDatabase(adminUrl: string, name: string, max = 1): Promise<RunDatabase> {
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
