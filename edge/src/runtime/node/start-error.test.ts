import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startError, startNodeEdge } from './main.js';

/** What startNodeEdge fails with under `env`, or null when it started (it is closed again). */
function startFailure(env: Record<string, string>): Promise<unknown> {
  return startNodeEdge(
    { VIGIL_API_KEYS: 'start-error-key-0123456789', ...env },
    { log: () => {} },
  ).then(
    async (edge) => {
      await edge.close();
      return null;
    },
    (e: unknown) => e,
  );
}

describe('the Node edge on a taken port', () => {
  it('fails to start with one line naming the port and PORT', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const { port } = holder.address() as AddressInfo;
    try {
      const failure = await startFailure({ PORT: String(port) });
      expect(failure, 'the edge must not start on a taken port').not.toBeNull();
      expect(startError(failure)).toBe(
        `port ${port} is already in use (127.0.0.1:${port}): stop what listens there, or set PORT to a free port`,
      );
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });

  it('names VIGIL_HOST for an address the machine lacks or a name that does not resolve', async () => {
    const start = (host: string) => startFailure({ PORT: '0', VIGIL_HOST: host });
    // TEST-NET-1 (RFC 5737): never assigned to a host, so never an address of this one.
    const missing = await start('192.0.2.1');
    expect(missing, 'the edge must not start on an address it does not have').not.toBeNull();
    expect(startError(missing)).toBe(
      'VIGIL_HOST 192.0.2.1 is not an address of this machine: set it to one of its addresses (127.0.0.1 for loopback only, 0.0.0.0 for every interface)',
    );
    // `.invalid` is reserved never to resolve (RFC 2606).
    const unresolvable = await start('vigil.invalid');
    expect(unresolvable).not.toBeNull();
    expect(startError(unresolvable)).toBe(
      'VIGIL_HOST vigil.invalid does not resolve: set it to an address of this machine, such as 127.0.0.1',
    );
  });

  it('passes any other failure through as its message', () => {
    expect(startError(new Error('VIGIL_API_KEYS: keys must be at least 16 characters'))).toBe(
      'VIGIL_API_KEYS: keys must be at least 16 characters',
    );
  });
});
