import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkListen, ListenError, listenErrorOf } from './listen-check.js';

let held: Server;
let heldPort: number;

beforeAll(async () => {
  held = createServer();
  await new Promise<void>((ok) => held.listen(0, '127.0.0.1', ok));
  heldPort = (held.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((ok) => held.close(() => ok())));

async function refusal(p: Promise<unknown>): Promise<ListenError> {
  const e = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(e).toBeInstanceOf(ListenError);
  return e as ListenError;
}

describe('checkListen', () => {
  it('gives the port back, and a free one for 0', async () => {
    const free = await checkListen('127.0.0.1', 0);
    expect(free).toBeGreaterThan(0);
    expect(await checkListen('127.0.0.1', free)).toBe(free);
  });

  it('refuses a taken port in one line naming PORT', async () => {
    const e = await refusal(checkListen('127.0.0.1', heldPort));
    expect(e.variable).toBe('PORT');
    expect(e.message).toBe(
      `PORT ${heldPort} is already in use (127.0.0.1:${heldPort}): stop what listens there, or ` +
        'set PORT to a free port (PORT=0 picks one)',
    );
  });

  it('sees the port taken on loopback when asked for every interface', async () => {
    expect((await refusal(checkListen('0.0.0.0', heldPort))).variable).toBe('PORT');
  });

  it('refuses an address this machine does not have, naming VIGIL_HOST', async () => {
    // Documentation addresses (RFC 5737), which sandboxes do hand out: the first one not ours.
    const ours = new Set(
      Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)),
    );
    const elsewhere = ['203.0.113.7', '198.51.100.7', '192.0.2.7'].find((a) => !ours.has(a))!;
    const e = await refusal(checkListen(elsewhere, 0));
    expect(e.variable).toBe('VIGIL_HOST');
    expect(e.message).toBe(
      `VIGIL_HOST ${elsewhere} is not an address of this machine: set it to one of its ` +
        'addresses, 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)',
    );
  });
});

describe('listenErrorOf', () => {
  it("words Miniflare's and Node's address-in-use failures as checkListen does", () => {
    const miniflare = Object.assign(new Error('Address already in use (127.0.0.1:8787).'), {
      code: 'ERR_ADDRESS_IN_USE',
    });
    const wrapped = new Error('workerd did not start the Worker', { cause: miniflare });
    const node = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    for (const e of [wrapped, node]) {
      const explained = listenErrorOf(e, '127.0.0.1', 8787);
      expect(explained?.message).toMatch(/^PORT 8787 is already in use \(127\.0\.0\.1:8787\)/);
      expect(explained?.cause).toBe(e);
    }
    expect(listenErrorOf(new Error('listen EADDRINUSE'), '::', 8787)).toBeNull();
    expect(listenErrorOf(Object.assign(new Error('x'), { code: 'ENOENT' }), '::', 1)).toBeNull();
  });

  it('names PORT for a port this user may not have, VIGIL_HOST for a family the machine lacks', () => {
    const denied = Object.assign(new Error('listen EACCES'), { code: 'EACCES' });
    expect(listenErrorOf(denied, '127.0.0.1', 80)?.message).toMatch(
      /^PORT 80 may not be listened on by this user \(127\.0\.0\.1:80; ports below 1024 /,
    );
    const noIpv6 = Object.assign(new Error('listen EAFNOSUPPORT'), { code: 'EAFNOSUPPORT' });
    expect(listenErrorOf(noIpv6, '::', 8787)?.variable).toBe('VIGIL_HOST');
  });

  it('writes an IPv6 address in brackets', () => {
    const e = Object.assign(new Error('in use'), { code: 'EADDRINUSE' });
    expect(listenErrorOf(e, '::', 8787)?.message).toContain('([::]:8787)');
  });
});
