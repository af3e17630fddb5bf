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
 * at the target rate.
 *
 * Here the order of the runs; the machinery in backplane-setup.ts, the runs in backplane-runs.ts,
 * the baselines in backplane-baselines.ts, the text in backplane-report.ts.
 */
import { cpus } from 'node:os';
import { DECISIONS_TOPIC, FEEDBACK_TOPIC } from '@vigil/core';
import { RecordingHub } from '../backplane/src/testing/recording-hub.js';
import { startKafka, stopKafka } from '../scripts/services/kafka-test-setup.js';
import { startPostgres, stopPostgres } from '../scripts/services/postgres-test-setup.js';
import { baselineChecks, baselineKafka, baselinePostgres } from './backplane-baselines.js';
import { renderBackplane } from './backplane-report.js';
import {
  eventsOf,
  hubLatencies,
  lossOf,
  saturate,
  saturateRequiredWork,
  type SaturationLoad,
  steadyRun,
  WARM_UP,
} from './backplane-runs.js';
import {
  BATCH,
  batchSizes,
  type Child,
  CONCURRENCY,
  dropTopics,
  EVENTS,
  HUB_SECRET,
  INSTANCES,
  KAFKA_PORT,
  POSTGRES_PORT,
  runDatabase,
  SECRET,
  service,
  startInstances,
  STEADY_LOAD,
  STEADY_SECONDS,
  stopInstances,
  TARGET_RATE,
} from './backplane-setup.js';
import { serviceCpu } from './proc-cpu.js';

/** The backplane section of docs/benchmarks.md. */
export async function benchBackplane(): Promise<string> {
  const kafka = await service('kafka.sh', KAFKA_PORT, startKafka, stopKafka);
  const pg = await service('postgres.sh', POSTGRES_PORT, startPostgres, stopPostgres);
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

    // Steady: half the measured capacity in 50 ms slices, each slice one POST, timed to the hub.
    const steadyRate = Math.max(200, Math.round((sat.pipelineRate * STEADY_LOAD) / 100) * 100);
    const steady = await steadyRun(
      url,
      sql,
      hub,
      run,
      WARM_UP + EVENTS,
      steadyRate,
      STEADY_SECONDS,
      warm.length + load.length,
    );
    const all = [...warm, ...load, ...steady.events];
    const loss = await lossOf(sql, run, all, hub);
    const latencies = hubLatencies(steady.events, steady.sentAt, hub);

    await stopInstances(backplane);
    backplane = [];
    const requiredWork = await saturateRequiredWork(adminUrl, brokers, saturation);
    const pgBase = await baselinePostgres(adminUrl, run, load, pgService);
    const kafkaBase = await baselineKafka(brokers, run, load, kafkaService);
    const checksBase = await baselineChecks(bodies, load.length);
    return renderBackplane({
      instances: INSTANCES,
      cores: cpus().length,
      batch: BATCH,
      concurrency: CONCURRENCY,
      targetRate: TARGET_RATE,
      events: load.length,
      allEvents: all.length,
      steadyRate,
      steadySeconds: STEADY_SECONDS,
      saturation: sat,
      requiredWork,
      latencies,
      loss,
      perBatch: meanOf('vigil_backplane_consumer_batch_size'),
      perWrite: meanOf('vigil_backplane_db_write_events'),
      kafkaWasRunning: kafka.wasRunning,
      baselines: {
        postgres: pgBase,
        kafka: kafkaBase.produce,
        consume: kafkaBase.consume,
        checks: checksBase,
      },
    });
  } finally {
    await stopInstances(backplane);
    await hub.close();
    await db.drop();
    await dropTopics(brokers, [`${run}.${DECISIONS_TOPIC}`, `${run}.${FEEDBACK_TOPIC}`]);
    await pg.stop();
    await kafka.stop();
  }
}
