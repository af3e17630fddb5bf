/** The edge behaviour suite's target, helpers and context (behaviour.suite.ts runs the topics). */
import { expect } from 'vitest';
import type { ScoreAnswer } from '@vigil/core';

/** A running edge to test. */
export interface EdgeTarget {
  /** e.g. http://127.0.0.1:54321 (no trailing slash). */
  readonly baseUrl: string;
  /** A key in the target's VIGIL_API_KEYS. */
  readonly apiKey: string;
  close(): Promise<void>;
}

/** Ways a target's feature store can fail, for the degraded-mode tests. */
export type StoreFault = 'store-throws' | 'store-hangs';

export interface EdgeBehaviourOptions {
  /**
   * A target (same model) whose feature store fails this way: its `step` throws, or never answers
   * within VIGIL_FEATURE_TIMEOUT_MS. Without it the degraded-mode tests are reported as todo.
   */
  readonly makeFaultyTarget?: (fault: StoreFault) => Promise<EdgeTarget>;
  /** The target's VIGIL_MAX_BODY_BYTES (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** fast-check runs per property (default 60). */
  readonly propertyRuns?: number;
}

export interface Tx {
  transaction_id: string;
  timestamp: string;
  customer_id: string;
  terminal_id: string;
  amount: number;
  currency?: string;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json(): unknown;
}

const BASE_SEC = Date.UTC(2024, 2, 4) / 1000; // Monday 4 March 2024, 00:00 UTC

/** RFC 3339 time `day` days and `hour`:`minute` after the suite's base day. */
export function at(day: number, hour: number, minute = 0): string {
  const s = BASE_SEC + day * 86_400 + hour * 3_600 + minute * 60;
  return new Date(s * 1000).toISOString().replace('.000Z', 'Z');
}

/** An answer without its id: what twin worlds must agree on. */
export function content(a: ScoreAnswer): Omit<ScoreAnswer, 'transaction_id'> {
  const { transaction_id: _id, ...rest } = a;
  return rest;
}

export class Api {
  /** `target` is read at each request: the suite's target is made in beforeAll. */
  constructor(private readonly target: () => EdgeTarget) {}

  async request(
    method: string,
    path: string,
    init: { body?: unknown; raw?: string; contentType?: string; auth?: string | null } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (init.auth !== null)
      headers['authorization'] = init.auth ?? `Bearer ${this.target().apiKey}`;
    const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
    if (body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
    const res = await fetch(`${this.target().baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      json: () => JSON.parse(text) as unknown,
    };
  }

  post(path: string, body: unknown): Promise<Reply> {
    return this.request('POST', path, { body });
  }

  async score(tx: Tx): Promise<ScoreAnswer> {
    const r = await this.post('/v1/score', tx);
    if (r.status !== 200) throw new Error(`score ${tx.transaction_id}: ${r.status} ${r.text}`);
    return r.json() as ScoreAnswer;
  }

  async batch(txs: Tx[]): Promise<ScoreAnswer[]> {
    const r = await this.post('/v1/score/batch', { transactions: txs });
    if (r.status !== 200) throw new Error(`batch: ${r.status} ${r.text}`);
    return (r.json() as { results: ScoreAnswer[] }).results;
  }

  async metric(line: string): Promise<number> {
    const r = await this.request('GET', '/metrics');
    const found = r.text.split('\n').find((l) => l.startsWith(`${line} `));
    return found === undefined ? 0 : Number(found.slice(line.length + 1));
  }
}

/** Expect an RFC 9457 problem with this status; returns it. */
export function expectProblem(r: Reply, status: number) {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const p = r.json() as {
    type: string;
    title: string;
    status: number;
    detail: string;
    errors?: { path: string; message: string }[];
  };
  expect(p.status).toBe(status);
  expect([typeof p.type, typeof p.title, typeof p.detail]).toEqual(['string', 'string', 'string']);
  return p;
}

/** What every topic of the suite gets: the API of the target under test and fresh ids and worlds. */
export interface BehaviourContext {
  readonly api: Api;
  /** The target under test (made in beforeAll). */
  readonly target: () => EdgeTarget;
  readonly options: EdgeBehaviourOptions;
  /** A fresh id with a readable tag. */
  readonly id: (tag: string) => string;
  /** A valid transaction of the given customer and terminal, fresh id, the suite's first day. */
  readonly tx: (over: Partial<Tx> & Pick<Tx, 'customer_id' | 'terminal_id'>) => Tx;
  /** A world: its own customer and terminal. */
  readonly world: (tag: string) => { customer_id: string; terminal_id: string };
}
