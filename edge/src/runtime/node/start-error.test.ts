import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startError, startNodeEdge } from './main.js';

describe('the Node edge on a taken port', () => {
  it('fails to start with one line naming the port and PORT', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const { port } = holder.address() as AddressInfo;
    try {
      const failure = await startNodeEdge(
        { PORT: String(port), VIGIL_API_KEYS: 'start-error-key-0123456789' },
        { log: () => {} },
      ).then(
        async (edge) => {
          await edge.close();
          return null;
        },
        (e: unknown) => e,
      );
      expect(failure, 'the edge must not start on a taken port').not.toBeNull();
      expect(startError(failure)).toBe(
        `port ${port} is already in use (127.0.0.1:${port}): stop what listens there, or set PORT to a free port`,
      );
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });

  it('passes any other failure through as its message', () => {
    expect(startError(new Error('VIGIL_API_KEYS: keys must be at least 16 characters'))).toBe(
      'VIGIL_API_KEYS: keys must be at least 16 characters',
    );
  });
});
