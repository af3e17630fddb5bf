/**
 * The backplane's wiring, the one place where its clients are created and passed down:
 * configuration → Postgres (migrated) → the event log (Kafka or in-process) → the LiveHub
 * publisher → the consumer group → the HTTP server (ingest, metrics, health, /api, dashboard).
 * `startBackplane(config)` is used by tests and the launcher; `tsx backplane/src/main.ts` runs it
 * from the environment until SIGTERM or SIGINT.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import postgres from 'postgres';
import type { EventLog } from './adapters/event-log.port.js';
import { disabledHubPublisher, HttpHubPublisher } from './adapters/hub/http-hub-publisher.js';
import type { HubPublisher } from './adapters/hub-publisher.port.js';
import { KafkaEventLog } from './adapters/kafka/kafka-event-log.js';
import { MemoryEventLog } from './adapters/memory-log/memory-event-log.js';
import { openDatabase, type Database } from './adapters/postgres/open-database.js';
import { isPostgresJsClosedSocketWrite } from './adapters/postgres/postgres-js-crash.js';
import { loadConfig, type BackplaneConfig } from './config/index.js';
import { startEventConsumer, type RunningConsumer } from './consumer/event-consumer.js';
import { startLagMonitor, type LagMonitor } from './consumer/lag-monitor.js';
import { startDecisionRetention } from './retention/decision-retention.js';
import { BackplaneMetrics } from './http/backplane-metrics.js';
import { createBackplaneApp } from './http/create-app.js';
import { nodeHmacSha256 } from './http/node-hmac.js';
import { startTombstoneRetention } from './retention/tombstone-retention.js';
import { startDriftMonitor } from './drift/drift-monitor.js';
import { registryChampion } from './drift/registry-champion.js';
import { serveNode, stopOnSignals, type NodeServer } from '@vigil/node-runtime';
import { createEventProducer } from './ingest/event-producer.js';
import type { EventProducer } from './ports.js';
import type { VerdictRetryPolicy } from './api/verdict-delivery/delivery-policy.js';

export interface StartOptions {
  /** Where logs go (default: pino JSON lines on stdout at config.logLevel). */
  readonly log?: Logger;
  /** The one-time dashboard sign-in token `npm start` prints (handed to the analysts' API). */
  readonly signInToken?: string | null;
  /** Longest wait for the hub's acknowledgement before committing a batch (default 2,000 ms). */
  readonly hubWaitMs?: number;
  /** Partitions the consumer processes at once (default 12). */
  readonly consumerConcurrency?: number;
  /** Kafka consumer session timeout (default 10 s): how soon a dead member's partitions move. */
  readonly kafkaSessionTimeoutMs?: number;
  /** Lag refresh period (default 5 s). */
  readonly lagIntervalMs?: number;
  /** How often retention runs (default hourly; it also runs at start). */
  readonly retentionIntervalMs?: number;
  /** How often the drift job runs (default hourly; it also runs at start). */
  readonly driftIntervalMs?: number;
  /** Process metrics (CPU, heap, event loop) in /metrics (default true). */
  readonly processMetrics?: boolean;
  /** The analysts' verdicts' retry policy towards the edge (default: DEFAULT_VERDICT_RETRY). */
  readonly verdictRetry?: Partial<VerdictRetryPolicy>;
}

/** A running backplane. */
export interface Backplane {
  /** http://host:port of its HTTP server. */
  readonly url: string;
  readonly config: BackplaneConfig;
  /** The database it writes (embedded: PGlite's socket on 127.0.0.1, for psql or tests). */
  readonly databaseUrl: string;
  /** What it runs on, for the launcher's banner. */
  readonly description: { readonly log: string; readonly database: string; readonly hub: string };
  /** Consumer lag in messages, read now. */
  lag(): Promise<number>;
  /** Stop accepting, finish in-flight requests and the batch in hand, flush, disconnect, close. */
  close(): Promise<void>;
}

/** The pino logger main() uses: JSON lines on stdout. */
export function createLogger(config: Pick<BackplaneConfig, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'vigil-backplane' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

function createEventLog(config: BackplaneConfig, log: Logger, o: StartOptions): EventLog {
  if (config.kafkaBrokers) {
    return new KafkaEventLog({
      brokers: config.kafkaBrokers,
      log,
      ...(o.kafkaSessionTimeoutMs ? { sessionTimeoutMs: o.kafkaSessionTimeoutMs } : {}),
    });
  }
  log.warn(
    'KAFKA_BROKERS is not set: events go through the in-process log, which is NOT durable ' +
      '(accepted events not yet in Postgres are lost if this process stops); for local runs only',
  );
  return new MemoryEventLog({
    onError: (err) => log.error({ err }, 'in-process log: batch handler failed'),
  });
}

/** Closes what was opened, newest first, each step even if an earlier one failed. */
class Closer {
  private readonly steps: { name: string; run: () => unknown }[] = [];
  constructor(private readonly log: Logger) {}
  add(name: string, run: () => unknown): void {
    this.steps.push({ name, run });
  }
  async run(): Promise<void> {
    for (const s of this.steps.splice(0).reverse()) {
      try {
        await s.run();
      } catch (err) {
        this.log.error({ err, step: s.name }, 'shutdown step failed');
      }
    }
  }
}

/** Wire and start the backplane. Fails (having closed what it opened) if a part cannot start. */
export async function startBackplane(
  config: BackplaneConfig,
  options: StartOptions = {},
): Promise<Backplane> {
  const log = options.log ?? createLogger(config);
  const closer = new Closer(log);
  const roles = new Set(config.roles);
  const topics = [config.topics.decisions, config.topics.feedback];
  try {
    const metrics = new BackplaneMetrics({ processMetrics: options.processMetrics ?? true });

    const db: Database = await openDatabase({
      url: config.databaseUrl,
      dataDir: config.dataDir,
      log: log.child({ component: 'postgres' }),
    });
    closer.add('database', () => db.close());

    const eventLog = createEventLog(config, log, options);
    closer.add('event log', () => eventLog.close());
    await eventLog.start(topics, config.kafkaPartitions);
    const producer: EventProducer = createEventProducer(eventLog.producer, config.topics);

    let hub: HubPublisher = disabledHubPublisher;
    if (config.hub) {
      hub = new HttpHubPublisher({
        url: config.hub.url,
        secret: config.hub.secret,
        log: log.child({ component: 'hub' }),
        observer: metrics.hubObserver(),
      });
      closer.add('hub publisher', () => hub.close());
    } else {
      log.info('VIGIL_HUB_URL / VIGIL_HUB_SECRET not set: no live publishing to the LiveHub');
    }

    const lag: LagMonitor = startLagMonitor({
      eventLog,
      groupId: config.consumerGroup,
      topics,
      metrics,
      log,
      ...(options.lagIntervalMs ? { intervalMs: options.lagIntervalMs } : {}),
    });
    closer.add('lag monitor', () => lag.stop());

    let consumer: RunningConsumer | null = null;
    if (roles.has('consumer')) {
      consumer = await startEventConsumer({
        eventLog,
        groupId: config.consumerGroup,
        topics,
        sql: db.sql,
        hub,
        metrics,
        log,
        blockOnFraudDays: config.blockOnFraudDays,
        ...(options.hubWaitMs !== undefined ? { hubWaitMs: options.hubWaitMs } : {}),
        ...(options.consumerConcurrency ? { concurrency: options.consumerConcurrency } : {}),
      });
      const running = consumer;
      closer.add('consumer', () => running.stop());
      // The consumer's process prunes what the consumer wrote (VIGIL_RETENTION_DAYS, 0 = never).
      const retention = startDecisionRetention({
        sql: db.sql,
        days: config.retentionDays,
        log: log.child({ component: 'retention' }),
        metrics,
        vacuum: db.embedded,
        ...(options.retentionIntervalMs ? { intervalMs: options.retentionIntervalMs } : {}),
      });
      closer.add('retention', () => retention.stop());
      // Removed list items stay 30 days as tombstones for the edges' sync, whatever the above.
      const tombstones = startTombstoneRetention({
        sql: db.sql,
        log: log.child({ component: 'retention' }),
      });
      closer.add('tombstone retention', () => tombstones.stop());
      // Beside retention: the champion's drift over the newest decisions, hourly and at start.
      const drift = startDriftMonitor({
        sql: db.sql,
        champion: registryChampion(db.sql),
        windowMinutes: config.driftWindowMinutes,
        log: log.child({ component: 'drift' }),
        metrics,
        ...(options.driftIntervalMs ? { intervalMs: options.driftIntervalMs } : {}),
      });
      closer.add('drift', () => drift.stop());
    }

    const api = roles.has('api')
      ? await createApi(config, { db, producer, hub, lag, log, options, metrics })
      : null;
    if (api) closer.add('analysts API', () => api.close());

    let closing = false;
    const webDist =
      existsSync(config.webDist) && statSync(config.webDist).isDirectory() ? config.webDist : null;
    const app = createBackplaneApp({
      log,
      metrics,
      ingest:
        roles.has('ingest') && config.eventsSecret
          ? {
              producer,
              secret: config.eventsSecret,
              hmac: nodeHmacSha256,
              maxBodyBytes: config.maxBodyBytes,
              metrics,
            }
          : null,
      // Edges sync rules and lists where they send events: the same role, secret and origin.
      rulesSync:
        roles.has('ingest') && config.eventsSecret
          ? { sql: db.sql, secret: config.eventsSecret, hmac: nodeHmacSha256 }
          : null,
      api,
      health: () => ({
        ready: !closing && eventLog.producer.connected,
        log: eventLog.kind,
        database: db.embedded ? 'pglite' : 'postgres',
        migrated: true,
        producer_connected: eventLog.producer.connected,
        roles: config.roles,
      }),
      metricsKeys: config.apiKeys,
      webDist,
      beforeMetrics: () => metrics.hubQueueDepth.set(hub.depth),
    });
    const server: NodeServer = await serveNode(app.fetch, {
      port: config.port,
      host: config.host,
      requestTimeoutMs: config.requestTimeoutMs,
    });
    closer.add('http server', () => server.close());

    const description = {
      log: config.kafkaBrokers
        ? `Kafka at ${config.kafkaBrokers.join(',')}`
        : 'in-process log (not durable)',
      database: db.description,
      hub: config.hub ? `LiveHub at ${new URL(config.hub.url).origin}` : 'no LiveHub publishing',
    };
    log.info({ url: server.url, roles: config.roles, ...description }, 'backplane started');
    return {
      url: server.url,
      config,
      databaseUrl: db.url,
      description,
      lag: () => lag.read(),
      async close() {
        if (closing) return;
        closing = true;
        log.info('backplane stopping');
        await closer.run();
        log.info('backplane stopped');
      },
    };
  } catch (e) {
    await closer.run();
    throw e;
  }
}

/** The analysts' API (./api), given what it needs; loaded only with the api role. */
async function createApi(
  config: BackplaneConfig,
  parts: {
    db: Database;
    producer: EventProducer;
    hub: HubPublisher;
    lag: LagMonitor;
    log: Logger;
    options: StartOptions;
    metrics: BackplaneMetrics;
  },
) {
  const { createApiApp } = await import('./api/index.js');
  const { db, producer, hub, lag, log, options, metrics } = parts;
  let sessionSecret = config.sessionSecret;
  if (sessionSecret === null) {
    // Sessions then last as long as this process: fine for local runs, set it in production.
    sessionSecret = randomBytes(32).toString('base64url');
    log.warn('VIGIL_SESSION_SECRET is not set: a random one is used (sessions end on restart)');
  }
  // Backtests and thresholds previews read over a connection of their own, each statement
  // bounded: a long one never holds a connection the consumer or the dashboard waits for. On PGlite
  // it is a second connection to the socket, whose queries queue with the others' between pages.
  const backtestSql = postgres(db.url, {
    max: 1,
    connect_timeout: 10,
    idle_timeout: 60,
    onnotice: () => undefined,
    connection: {
      application_name: 'vigil-backtest',
      statement_timeout: config.backtestTimeoutMs,
    },
  });
  const apiKey = config.apiKeys[0];
  if (config.edgeUrl && !apiKey) {
    log.warn('VIGIL_EDGE_URL is set but VIGIL_API_KEYS is not: no key to call the edge with');
  }
  const api = createApiApp({
    sql: db.sql,
    emitFeedback: (events) => producer.send(events),
    publishLive: (events) => void hub.publish(events),
    edge: config.edgeUrl && apiKey ? { url: config.edgeUrl, apiKey } : null,
    consumerLag: () => lag.current(),
    auth: {
      apiKeys: config.analystKeys.length > 0 ? config.analystKeys : config.apiKeys,
      sessionSecret,
      signInToken: options.signInToken ?? null,
    },
    log: log.child({ component: 'api' }),
    backtest: { sql: backtestSql, timeoutMs: config.backtestTimeoutMs },
    verdictObserver: metrics.verdictObserver(),
    ...(options.verdictRetry ? { verdictRetry: options.verdictRetry } : {}),
  });
  const closeApi = api.close.bind(api);
  return Object.assign(api, {
    async close() {
      await closeApi();
      await backtestSql.end({ timeout: 1 });
    },
  });
}

async function main(): Promise<void> {
  let config: BackplaneConfig;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    console.error(`vigil backplane: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
    return;
  }
  const log = createLogger(config);
  process.on('uncaughtException', (err) => {
    if (isPostgresJsClosedSocketWrite(err)) {
      log.warn(
        { err },
        'postgres.js wrote to a closed connection (porsager/postgres#1154): ignored',
      );
      return;
    }
    log.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });
  let backplane: Backplane;
  try {
    backplane = await startBackplane(config, { log });
  } catch (err) {
    log.fatal({ err }, 'backplane cannot start');
    process.exitCode = 1;
    return;
  }
  stopOnSignals(() => backplane.close(), {
    stopping: (signal) => log.info({ signal }, 'shutting down'),
    again: (signal) => log.warn({ signal }, 'second signal: exiting now'),
    failed: (err) => log.error({ err }, 'shutdown failed'),
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
