// serveNode on a real socket: the bound port, the upgrade listener, the request deadline's 408
// and a close that ends idle keep-alive connections.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { serveNode } from './serve-node.js';

const hello = () => new Response('hello', { headers: { 'content-type': 'text/plain' } });

describe('serveNode', () => {
  it('serves the handler on the port it bound and closes with keep-alive sockets open', async () => {
    const server = await serveNode(hello, { port: 0, host: '127.0.0.1', requestTimeoutMs: 5_000 });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    const r = await fetch(server.url, { headers: { connection: 'keep-alive' } });
    expect(await r.text()).toBe('hello');
    await server.close();
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('hands upgrades to onUpgrade', async () => {
    const upgrades: string[] = [];
    const server = await serveNode(hello, {
      port: 0,
      host: '127.0.0.1',
      requestTimeoutMs: 5_000,
      onUpgrade: (req, socket) => {
        upgrades.push(req.url ?? '');
        socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      },
    });
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect(server.port, '127.0.0.1', () =>
        s.write(
          'GET /v1/live HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
        ),
      );
      let got = '';
      s.on('data', (b) => (got += b.toString()));
      s.on('end', () => resolve(got));
      s.on('error', reject);
    });
    expect(upgrades).toEqual(['/v1/live']);
    expect(answer).toMatch(/^HTTP\/1\.1 404/);
    await server.close();
  });

  it('answers 408 to a request whose headers never finish', async () => {
    const server = await serveNode(hello, { port: 0, host: '127.0.0.1', requestTimeoutMs: 500 });
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect(server.port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: x\r\n'));
      let got = '';
      s.on('data', (b) => (got += b.toString()));
      s.on('close', () => resolve(got));
      s.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    await server.close();
  });

  it('refuses a port already taken', async () => {
    const a = await serveNode(hello, { port: 0, host: '127.0.0.1', requestTimeoutMs: 5_000 });
    await expect(
      serveNode(hello, { port: a.port, host: '127.0.0.1', requestTimeoutMs: 5_000 }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await a.close();
  });
});
