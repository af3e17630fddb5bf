/**
 * The one vitest globalSetup for test projects that need a real Redis: installs redis-server
 * through redis.sh when missing, starts it on the project's own port (so projects never race each
 * other over start and stop), provides `redisUrl`, and stops it afterwards if it started it. If
 * Redis cannot be had, the run fails saying why: it never skips.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:PORT` of the Redis the tests run against. */
    redisUrl: string;
  }
}

const SCRIPT = fileURLToPath(new URL('./redis.sh', import.meta.url));

function redisSh(...args: string[]): { ok: boolean; output: string } {
  const run = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', timeout: 600_000 });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`;
  return { ok: run.status === 0, output: output.trim() };
}

function onPath(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

export interface RedisSetupOptions {
  /** Who needs it, for the error message: "The tools tests". */
  readonly who: string;
  /** The environment variable that overrides the port. */
  readonly portVariable: string;
  readonly defaultPort: number;
}

/** A globalSetup function for one test project. */
export function redisGlobalSetup(o: RedisSetupOptions): (project: TestProject) => () => void {
  return (project) => {
    const port = Number(process.env[o.portVariable] ?? o.defaultPort);
    if (!onPath('redis-server') || !onPath('redis-cli')) {
      const install = redisSh('install');
      if (!install.ok) {
        throw new Error(
          `${o.who} need a real Redis, and redis-server is not installed. ` +
            '`bash scripts/services/redis.sh install` (apt-get install redis-server, needs root) ' +
            `failed:\n${install.output}`,
        );
      }
    }
    const wasRunning = redisSh('status', String(port)).ok;
    const start = redisSh('start', String(port));
    if (!start.ok) {
      throw new Error(
        `${o.who} need a real Redis on 127.0.0.1:${port}, and ` +
          `\`bash scripts/services/redis.sh start ${port}\` failed:\n${start.output}\n` +
          `Set ${o.portVariable} to use another port.`,
      );
    }
    project.provide('redisUrl', `redis://127.0.0.1:${port}`);
    return () => {
      if (!wasRunning) redisSh('stop', String(port));
    };
  };
}
