/**
 * What the fault drills share: a fresh database and topic prefix per drill, the edge's own event
 * sink as the sender (signed batches, retried with backoff and Retry-After, exactly as the edge
 * delivers), a recording LiveHub, the backplane in this process or as a child process, and the
 * final check — every event in Postgres exactly once, and at the hub at least once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { VigilEvent } from '@vigil/core';
import { pino } from 'pino';
import postgres, { type Sql } from 'postgres';
import { inject } from 'vitest';
import { DeliveryMetrics, OutboxEventSink } from '@vigil/edge/events';
import { loadConfig, REPO_ROOT } from '../../src/config/index.js';
import { nodeHmacSha256 } from '../../src/http/node-hmac.js';
import { startBackplane, type Backplane, type StartOptions } from '../../src/main.js';
import { eventStream } from '../../src/testing/fixtures.js';
import { RecordingHub } from '../../src/testing/recording-hub.js';
import { createDatabase } from './services.js';

export const EVENTS_SECRET = 'drill-events-secret-0123456789';
export const HUB_SECRET = 'drill-hub-secret-0123456789';
export const LOG_DIR = join(REPO_ROOT, '.vigil/test-logs');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1 (for a backplane that must come back on the same address). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Poll `cond` until it holds; fail with `what` after `ms`. */
export async function until(
  what: string,
  cond: () => Promise<boolean> | boolean,
  ms = 60_000,
): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** One drill's isolated world: its own database, topics, consumer group and hub. */
export class Drill {
  readonly run: string;
  readonly databaseUrl: string;
  readonly kafkaBrokers: string;
  readonly hub: RecordingHub;
  readonly sql: Sql;
  private constructor(run: string, databaseUrl: string, kafkaBrokers: string, hub: RecordingHub) {
    this.run = run;
    this.databaseUrl = databaseUrl;
    this.kafkaBrokers = kafkaBrokers;
    this.hub = hub;
    this.sql = postgres(databaseUrl, { max: 2, onnotice: () => undefined });
  }

  /** A fresh database `vigil_drill_<name>_<time>` and a topic prefix of the same name. */
  static async create(name: string): Promise<Drill> {
    const run = `drill_${name}_${Date.now().toString(36)}`;
    const url = await createDatabase(run);
    const hub = await new RecordingHub(HUB_SECRET).start();
    return new Drill(run, url, inject('kafkaBrokers'), hub);
  }

  /** The backplane's environment for this drill (any extra variables on top). */
  env(port: number, extra: Record<string, string> = {}): Record<string, string> {
    return {
      VIGIL_BACKPLANE_PORT: String(port),
      VIGIL_EVENTS_SECRET: EVENTS_SECRET,
      KAFKA_BROKERS: this.kafkaBrokers,
      DATABASE_URL: this.databaseUrl,
      VIGIL_TOPIC_PREFIX: `${this.run}.`,
      VIGIL_HUB_URL: this.hub.url,
      VIGIL_HUB_SECRET: HUB_SECRET,
      VIGIL_BACKPLANE_ROLES: 'ingest,consumer',
      VIGIL_LOG_LEVEL: 'warn',
      ...extra,
    };
  }

  /** A backplane in this process; its logs go to .vigil/test-logs/<run>.log. */
  startBackplane(port: number, extra: Record<string, string> = {}, o: StartOptions = {}) {
    mkdirSync(LOG_DIR, { recursive: true });
    const config = loadConfig(this.env(port, extra));
    const log = pino(
      { level: config.logLevel },
      pino.destination({ dest: join(LOG_DIR, `${this.run}.log`), append: true, sync: false }),
    );
    return startBackplane(config, { log, processMetrics: false, ...o });
  }

  /** The drill's events: `n` decisions, and a fraud verdict on every tenth. */
  events(n: number): VigilEvent[] {
    return eventStream(this.run, 0, n, 10);
  }

  /**
   * The end state every drill must reach: Postgres holds every decision and verdict exactly once
   * (no more rows than were sent, no duplicates), the labels are applied, and the hub has seen
   * every event id at least once.
   */
  async expectAllLanded(sent: readonly VigilEvent[], ms = 90_000): Promise<void> {
    const decisions = new Set<string>();
    const feedback = new Set<string>();
    for (const e of sent) (e.type === 'decision' ? decisions : feedback).add(e.event_id);
    await until(
      `${decisions.size} decisions and ${feedback.size} verdicts in Postgres`,
      async () => {
        const [r] = await this.sql<{ t: number; f: number }[]>`
          SELECT (SELECT count(*)::int FROM transactions) AS t, (SELECT count(*)::int FROM feedback) AS f`;
        return r!.t >= decisions.size && r!.f >= feedback.size;
      },
      ms,
    );
    const rows = await this.sql<{ event_id: string }[]>`SELECT event_id FROM transactions`;
    const fb = await this.sql<{ event_id: string }[]>`SELECT event_id FROM feedback`;
    const stored = rows.map((r) => r.event_id);
    if (stored.length !== decisions.size || new Set(stored).size !== stored.length) {
      throw new Error(`transactions: ${stored.length} rows for ${decisions.size} decisions sent`);
    }
    for (const id of stored) if (!decisions.has(id)) throw new Error(`unexpected row ${id}`);
    if (fb.length !== feedback.size) {
      throw new Error(`feedback: ${fb.length} rows for ${feedback.size} verdicts sent`);
    }
    // Labels follow their feedback rows in a statement of their own, after the insert commits.
    const labelled = async () =>
      (
        await this.sql<{ n: number }[]>`
          SELECT count(*)::int AS n FROM transactions WHERE label = 'fraud'`
      )[0]!.n;
    await until(
      `${feedback.size} transactions labelled fraud`,
      async () => {
        const n = await labelled();
        if (n > feedback.size)
          throw new Error(`${n} transactions labelled fraud, ${feedback.size} sent`);
        return n === feedback.size;
      },
      30_000,
    );
    await until(
      'every event at the hub',
      () => sent.every((e) => this.hub.firstSeen.has(e.event_id)),
      ms,
    );
  }

  /** Close the hub and drop the drill's database (its logs stay in .vigil/test-logs). */
  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
    await this.hub.close();
    const admin = postgres(inject('databaseUrl'), { max: 1, onnotice: () => undefined });
    try {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${this.run} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
}

/** The sender: the edge's OutboxEventSink, with every answer's status recorded. */
export class EdgeSender {
  readonly sink: OutboxEventSink;
  readonly metrics = new DeliveryMetrics();
  /** Status of every delivery attempt (0 for a network error). */
  readonly statuses: number[] = [];

  constructor(backplaneUrl: string, options: { capacity?: number; maxBatch?: number } = {}) {
    const recordingFetch: typeof fetch = async (input, init) => {
      try {
        const res = await fetch(input, init);
        this.statuses.push(res.status);
        return res;
      } catch (e) {
        this.statuses.push(0);
        throw e;
      }
    };
    this.sink = new OutboxEventSink({
      target: {
        backplaneUrl,
        secret: EVENTS_SECRET,
        hmac: nodeHmacSha256,
        fetch: recordingFetch,
        timeoutMs: 10_000,
      },
      capacity: options.capacity ?? 200_000,
      maxBatch: options.maxBatch ?? 500,
      metrics: this.metrics,
      log: () => undefined,
    });
  }

  /** Emit `events` at about `perSecond`, in slices every 50 ms; resolves once all are emitted. */
  async stream(
    events: readonly VigilEvent[],
    perSecond: number,
    onProgress?: (emitted: number) => void,
  ): Promise<void> {
    const slice = Math.max(1, Math.round(perSecond / 20));
    const t0 = performance.now();
    for (let i = 0; i < events.length; i += slice) {
      this.sink.emit(events.slice(i, i + slice));
      onProgress?.(Math.min(events.length, i + slice));
      const due = t0 + ((i + slice) / perSecond) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
  }

  /** Wait until the backplane has acknowledged everything emitted; nothing may be dropped. */
  async drained(ms = 90_000): Promise<void> {
    await until('the edge sink to drain', () => this.sink.depth === 0, ms);
    const dropped = this.metrics.dropped;
    for (const reason of ['outbox_full', 'rejected', 'invalid', 'retries_exhausted', 'shutdown']) {
      const n = dropped.get({ reason });
      if (n > 0) throw new Error(`the edge sink dropped ${n} events (${reason})`);
    }
  }

  close(): Promise<void> {
    return this.sink.close(1_000);
  }
}

/** A backplane as a child process (`node --import tsx backplane/src/main.ts`), for kill -9. */
export class ChildBackplane {
  private constructor(
    readonly url: string,
    readonly child: ChildProcess,
    readonly exited: Promise<number | null>,
  ) {}

  static async start(env: Record<string, string>, logName: string): Promise<ChildBackplane> {
    mkdirSync(LOG_DIR, { recursive: true });
    const out = createWriteStream(join(LOG_DIR, `${logName}.log`), { flags: 'a' });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'backplane/src/main.ts')],
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.pipe(out);
    child.stderr.pipe(out);
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    const url = `http://127.0.0.1:${env.VIGIL_BACKPLANE_PORT}`;
    let gone = false;
    void exited.then(() => (gone = true));
    await until(
      'the backplane child to be healthy',
      async () => {
        if (gone) throw new Error(`the backplane child exited; see ${LOG_DIR}/${logName}.log`);
        try {
          return (await fetch(`${url}/healthz`)).status === 200;
        } catch {
          return false;
        }
      },
      60_000,
    );
    return new ChildBackplane(url, child, exited);
  }

  /** SIGKILL: no shutdown at all, as a crash or an OOM kill. */
  async kill9(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, and wait for the graceful shutdown. */
  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}

export type { Backplane };
