import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forwardTcp } from './tcp-forward.js';

let target: ReturnType<typeof createServer>;
let targetPort: number;

beforeAll(async () => {
  target = createServer((req, res) => res.end(`${req.method} ${req.url} host=${req.headers.host}`));
  await new Promise<void>((ok) => target.listen(0, '127.0.0.1', ok));
  targetPort = (target.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((ok) => target.close(() => ok())));

describe('forwardTcp', () => {
  it('passes connections through as they are (the Host the client sent included)', async () => {
    const fwd = await forwardTcp(
      { host: '127.0.0.2', port: 0 },
      { host: '127.0.0.1', port: targetPort },
    );
    try {
      const res = await fetch(`http://127.0.0.2:${fwd.port}/v1/health?x=1`);
      expect(await res.text()).toBe(`GET /v1/health?x=1 host=127.0.0.2:${fwd.port}`);
    } finally {
      await fwd.close();
    }
    await expect(fetch(`http://127.0.0.2:${fwd.port}/`)).rejects.toThrow();
  });

  it('rejects with the listen error when the address is taken', async () => {
    await expect(
      forwardTcp({ host: '127.0.0.1', port: targetPort }, { host: '127.0.0.1', port: targetPort }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
