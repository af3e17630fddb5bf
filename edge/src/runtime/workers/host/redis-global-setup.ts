/**
 * vitest globalSetup of the 'edge-workers' project: a real Redis (scripts/services/redis.sh,
 * installed with apt-get when missing) behind which the Worker's Upstash store is tested in
 * workerd. Its own port, so it never races another project's Redis over start and stop. If Redis
 * cannot be started the run fails saying why; it never skips.
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

const SCRIPT = fileURLToPath(new URL('../../../../../scripts/services/redis.sh', import.meta.url));

function redisSh(...args: string[]): { ok: boolean; output: string } {
  const run = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', timeout: 600_000 });
  return {
    ok: run.status === 0,
    output: `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`.trim(),
  };
}

export default function setup(project: TestProject): () => void {
  const port = Number(process.env['VIGIL_TEST_WORKERS_REDIS_PORT'] ?? 6393);
  const onPath = spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' });
  if (onPath.status !== 0) {
    const install = redisSh('install');
    if (!install.ok) {
      throw new Error(
        'The Worker tests need a real Redis, and `bash scripts/services/redis.sh install` ' +
          `failed:\n${install.output}`,
      );
    }
  }
  const wasRunning = redisSh('status', String(port)).ok;
  const start = redisSh('start', String(port));
  if (!start.ok) {
    throw new Error(
      `The Worker tests need a real Redis on 127.0.0.1:${port}, and redis.sh start failed:\n` +
        `${start.output}\nSet VIGIL_TEST_WORKERS_REDIS_PORT to use another port.`,
    );
  }
  project.provide('redisUrl', `redis://127.0.0.1:${port}`);
  return () => {
    if (!wasRunning) redisSh('stop', String(port));
  };
}
