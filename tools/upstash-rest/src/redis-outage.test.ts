// What the bridge does when Redis is absent or goes away: fail clearly, never crash, recover.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startUpstashRest } from './server.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/services/redis.sh', import.meta.url));
// A Redis of this file's own, next to the shared test instance, so stopping it disturbs no one.
// A Redis of its own that it may stop: 6395, clear of the other projects' test servers (tools 6391,
// edge-stores 6392, edge-workers 6393, bench 6394), which run at the same time.
const port = Number(process.env['VIGIL_TEST_OUTAGE_REDIS_PORT'] ?? 6395);

function redisSh(command: 'start' | 'stop'): void {
  const run = spawnSync('bash', [SCRIPT, command, String(port)], { encoding: 'utf8' });
  if (run.status !== 0)
    throw new Error(`redis.sh ${command} ${port} failed: ${run.stdout}${run.stderr}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}

async function ping(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: 'Bearer t' },
    body: JSON.stringify(['PING']),
  });
  return { status: res.status, body: await res.json() };
}

afterAll(() => redisSh('stop'));

describe('Redis outages', () => {
  it('refuses to start, naming the Redis URL, when nothing listens there', async () => {
    const redisUrl = `redis://127.0.0.1:${await freePort()}`;
    await expect(startUpstashRest({ redisUrl, token: 't', port: 0 })).rejects.toThrow(
      new RegExp(`cannot connect to Redis at ${redisUrl}.*ECONNREFUSED`),
    );
  });

  it('answers 503 {error} while Redis is down and recovers when it is back', async () => {
    redisSh('start');
    const logged: string[] = [];
    const bridge = await startUpstashRest({
      redisUrl: `redis://127.0.0.1:${port}`,
      token: 't',
      port: 0,
      log: (message) => logged.push(message),
    });
    try {
      expect(await ping(bridge.url)).toEqual({ status: 200, body: { result: 'PONG' } });

      redisSh('stop');
      const down = await ping(bridge.url);
      expect(down.status).toBe(503);
      expect(down.body).toEqual({
        error: expect.stringMatching(/^ERR Redis is unavailable/) as unknown,
      });

      redisSh('start');
      const deadline = Date.now() + 10_000;
      let back = await ping(bridge.url);
      while (back.status !== 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        back = await ping(bridge.url);
      }
      expect(back).toEqual({ status: 200, body: { result: 'PONG' } });
      expect(logged.join('\n')).toMatch(/Redis connection lost[\s\S]*Redis connection restored/);
    } finally {
      await bridge.close();
    }
  });
});
