/**
 * For the API's tests: a real Postgres (PGlite behind its wire-protocol socket, so the `postgres`
 * client talks to it as to a server) with the backplane's migrations applied from their files,
 * rows as the consumer writes them, and recording fakes for Kafka, the LiveHub and the edge.
 */
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { FeedbackEventV1, LiveEvent } from '@vigil/core';
import { Hono } from 'hono';
import { pino } from 'pino';
import postgres, { type Sql } from 'postgres';
import type { ApiDeps } from './deps.js';
import { createApiApp, type ApiApp } from './index.js';

/**
 * The deployed model's version (edge/model/vigil-model.json): a model whose thresholds are always
 * known, for routes that need a known model (compare's champion).
 */
export const DEPLOYED_VERSION = (
  JSON.parse(
    readFileSync(new URL('../../../edge/model/vigil-model.json', import.meta.url), 'utf8'),
  ) as { version: string }
).version;

const MIGRATIONS = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface TestDb {
  readonly sql: Sql;
  readonly url: string;
  /** Stop the socket (the database "goes down"); `start` brings it back on the same port. */
  readonly server: PGLiteSocketServer;
  readonly pglite: PGlite;
  stop(): Promise<void>;
}

/** A fresh in-memory database with every migration in backplane/migrations applied in order. */
export async function startTestDb(): Promise<TestDb> {
  const db = await PGlite.create();
  const files = (await readdir(MIGRATIONS)).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
  for (const f of files) await db.exec(await readFile(MIGRATIONS + f, 'utf8'));
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  const url = `postgres://postgres:postgres@${server.getServerConn()}/postgres`;
  const sql = postgres(url, { max: 1, onnotice: () => undefined, connect_timeout: 5 });
  return {
    sql,
    url,
    server,
    pglite: db,
    async stop() {
      await sql.end({ timeout: 1 });
      await server.stop();
      await db.close();
    },
  };
}

export interface TxRow {
  transaction_id: string;
  ts?: Date;
  customer_id?: string;
  terminal_id?: string;
  amount?: number;
  score?: number;
  decision?: 'approve' | 'review' | 'decline';
  scored_at?: Date;
  latency_ms?: number;
  label?: 'fraud' | 'legitimate' | null;
  degraded?: boolean;
  /** Default 'EUR'; null for a transaction sent without one. */
  currency?: string | null;
}

/** Insert a decision as the consumer would (and, for review and decline, its case). */
export async function insertTransaction(sql: Sql, r: TxRow): Promise<void> {
  const ts = r.ts ?? new Date('2026-01-01T12:00:00Z');
  const scoredAt = r.scored_at ?? ts;
  const decision = r.decision ?? 'approve';
  await sql`
    INSERT INTO transactions (transaction_id, event_id, ts, customer_id, terminal_id, amount,
      currency, score, decision, reasons, features, model_version, degraded, scored_at, runtime,
      latency_ms, label)
    VALUES (${r.transaction_id}, ${'dec:' + r.transaction_id}, ${ts}, ${r.customer_id ?? 'c_1'},
      ${r.terminal_id ?? 't_1'}, ${r.amount ?? 10}, ${r.currency === undefined ? 'EUR' : r.currency},
      ${r.score ?? 0.01}, ${decision},
      ${sql.json([{ code: 'AMOUNT_HIGH', feature: 'amount', contribution: 0.5 }])},
      ${sql.json({ amount: r.amount ?? 10, hour_of_day: 12 })}, 'gbdt-test', ${r.degraded ?? false},
      ${scoredAt}, 'node', ${r.latency_ms ?? 1}, ${r.label ?? null})`;
  if (decision !== 'approve') {
    await sql`INSERT INTO cases (case_id, transaction_id, opened_at, updated_at, decision, score,
                amount)
              VALUES (${'case_' + r.transaction_id}, ${r.transaction_id}, ${scoredAt}, ${scoredAt},
                ${decision}, ${r.score ?? 0.01}, ${r.amount ?? 10})`;
  }
}

/** Many decisions in multi-row INSERTs (COPY does not work through the PGlite socket). */
export async function insertMany(sql: Sql, rows: readonly TxRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1_000) {
    const chunk = rows.slice(i, i + 1_000).map((r) => {
      const ts = r.ts ?? new Date('2026-01-01T12:00:00Z');
      return {
        transaction_id: r.transaction_id,
        event_id: 'dec:' + r.transaction_id,
        ts,
        customer_id: r.customer_id ?? 'c_1',
        terminal_id: r.terminal_id ?? 't_1',
        amount: r.amount ?? 10,
        score: r.score ?? 0.01,
        decision: r.decision ?? 'approve',
        reasons: '[]',
        features: '{}',
        model_version: 'gbdt-test',
        degraded: r.degraded ?? false,
        scored_at: r.scored_at ?? ts,
        runtime: 'node',
        latency_ms: r.latency_ms ?? 1,
        label: r.label ?? null,
      };
    });
    await sql`INSERT INTO transactions ${sql(chunk)}`;
  }
}

export interface Recorded {
  readonly feedback: FeedbackEventV1[];
  readonly live: LiveEvent[];
  /** Requests the fake edge received: path and JSON body. */
  readonly edgeCalls: { path: string; body: unknown }[];
}

export const API_KEY = 'test-api-key-0123456789';
export const SESSION_SECRET = 'test-session-secret-0123456789';
export const SIGN_IN_TOKEN = 'one-time-sign-in-token-abc';

export interface ApiHarness {
  /** The API mounted at /api of a root app, as main.ts mounts it. */
  readonly root: Hono;
  readonly api: ApiApp;
  readonly recorded: Recorded;
  /** Replace the fake edge's behaviour (default: 202 for feedback, a score for each item). */
  edge: Hono;
}

/** A fake edge: scores everything 0.9 decline above 220, else 0.01 approve; accepts feedback. */
export function fakeEdge(recorded: Recorded): Hono {
  const e = new Hono();
  const answer = (t: { transaction_id: string; amount: number }) => ({
    transaction_id: t.transaction_id,
    score: t.amount > 220 ? 0.9 : 0.01,
    decision: t.amount > 220 ? 'decline' : 'approve',
    reasons: [],
    model_version: 'gbdt-fake',
    degraded: false,
    replayed: false,
  });
  e.post('*', async (c) => {
    const body = await c.req.json<Record<string, unknown>>();
    recorded.edgeCalls.push({ path: c.req.path, body });
    if (c.req.header('authorization') !== `Bearer ${API_KEY}`) return c.json({}, 401);
    if (c.req.path === '/v1/score') {
      return c.json(answer(body as { transaction_id: string; amount: number }));
    }
    if (c.req.path === '/v1/score/batch') {
      const txs = body.transactions as { transaction_id: string; amount: number }[];
      return c.json({ results: txs.map(answer) });
    }
    return c.json({ accepted: 1 }, 202);
  });
  return e;
}

/** The API over `sql` with recording fakes; `overrides` replace any dependency. */
export function apiHarness(sql: Sql, overrides: Partial<ApiDeps> = {}): ApiHarness {
  const recorded: Recorded = { feedback: [], live: [], edgeCalls: [] };
  const harness: { edge: Hono } = { edge: fakeEdge(recorded) };
  const deps: ApiDeps = {
    sql,
    emitFeedback: (events) => {
      recorded.feedback.push(...events);
      return Promise.resolve();
    },
    publishLive: (events) => {
      recorded.live.push(...events);
    },
    edge: { url: 'http://edge.test', apiKey: API_KEY },
    consumerLag: () => 3,
    auth: { apiKeys: [API_KEY], sessionSecret: SESSION_SECRET, signInToken: SIGN_IN_TOKEN },
    log: pino({ level: 'silent' }),
    fetch: (input, init) => {
      const url = input instanceof Request ? input.url : input instanceof URL ? input.href : input;
      return Promise.resolve(harness.edge.request(url, init));
    },
    statsCacheMs: 0,
    // Tests sweep pending verdicts themselves (`api.deliverer.sweep()`), not on a timer.
    verdictRetry: { sweepMs: 0 },
    ...overrides,
  };
  const api = createApiApp(deps);
  const root = new Hono();
  root.route('/api', api);
  return Object.assign(harness, { root, api, recorded });
}

/** Headers of a bearer-authenticated JSON request. */
export function bearer(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', ...extra };
}

/** An API answer: its status and JSON body. */
export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** A bearer-authenticated request to `root`; a string body is sent as is (malformed JSON). */
export async function callApi(
  root: Hono,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiAnswer> {
  const res = await root.request(path, {
    method,
    headers: bearer(),
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
