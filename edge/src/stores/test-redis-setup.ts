/**
 * vitest globalSetup of the 'edge-stores' project: a real Redis through scripts/services/redis.sh
 * (installed with apt-get when missing). If Redis cannot be started the run fails saying why; it
 * never skips.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:PORT` of the Redis the tests run against. */
    redisUrl: string;
  }
}

const SCRIPT = fileURLToPath(new URL('../../../scripts/services/redis.sh', import.meta.url));

function redisSh(...args: string[]): { ok: boolean; output: string } {
  const run = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', timeout: 600_000 });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`;
  return { ok: run.status === 0, output: output.trim() };
}

function onPath(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

export default function setup(project: TestProject): () => void {
  // Its own port, so that it never races the 'tools' project's Redis (6391) over start and stop.
  const port = Number(process.env['VIGIL_TEST_STORES_REDIS_PORT'] ?? 6392);

  if (!onPath('redis-server') || !onPath('redis-cli')) {
    const install = redisSh('install');
    if (!install.ok) {
      throw new Error(
        'The edge store tests need a real Redis, and redis-server is not installed. ' +
          '`bash scripts/services/redis.sh install` (apt-get install redis-server, needs root) ' +
          `failed:\n${install.output}`,
      );
    }
  }

  const wasRunning = redisSh('status', String(port)).ok;
  const start = redisSh('start', String(port));
  if (!start.ok) {
    throw new Error(
      `The edge store tests need a real Redis on 127.0.0.1:${port}, and ` +
        `\`bash scripts/services/redis.sh start ${port}\` failed:\n${start.output}\n` +
        'Set VIGIL_TEST_STORES_REDIS_PORT to use another port.',
    );
  }
  project.provide('redisUrl', `redis://127.0.0.1:${port}`);

  return () => {
    if (!wasRunning) redisSh('stop', String(port));
  };
}
