/** What the system tests share: polling the pipeline, and a system per describe block. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startSystem, type RunningSystem } from './system.js';

/** `f()` until it gives a value (not null), or throw after `timeoutMs`. */
export async function poll<T>(f: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== null) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface SystemUnderTest {
  readonly system: RunningSystem;
  /** The system's public origin. */
  readonly origin: string;
  /** The bearer header of the system's API key. */
  readonly auth: Record<string, string>;
  /** POST `body` as JSON to `path` at the system's origin, with `auth`. */
  post(path: string, body: unknown): Promise<Response>;
}

/** POST `body` as JSON to `origin` + `path`, with `headers` besides. */
export const postJson = (
  origin: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) =>
  fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/**
 * The whole system (edge on `edge`, `env` set) in a fresh data dir, started before the enclosing
 * describe block's tests and stopped after them. Read the fields inside tests, once it has started.
 */
export function useSystem(
  edge: 'workerd' | 'node',
  env: Record<string, string> = {},
): SystemUnderTest {
  let system: RunningSystem | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `vigil-system-${edge}-`));
    system = await startSystem({ edge, env, port: 0, dataDir: dir });
  });
  afterAll(async () => {
    await system?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  const started = () => {
    if (system === undefined) throw new Error('the system has not started');
    return system;
  };
  return {
    get system() {
      return started();
    },
    get origin() {
      return started().origin;
    },
    get auth() {
      return { authorization: `Bearer ${started().apiKey}` };
    },
    post(path, body) {
      return postJson(this.origin, path, body, this.auth);
    },
  };
}
