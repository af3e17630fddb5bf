/**
 * A TCP forwarder: listens on one address and pipes every connection, bytes as they come (HTTP,
 * WebSocket upgrades and all), to a target on loopback. It is how `npm start` puts the Worker on
 * VIGIL_HOST: Miniflare opens its own helper server (the one workerd calls back into) on whatever
 * host workerd is given, so workerd stays on 127.0.0.1 and only this one port is opened elsewhere.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface TcpForwarder {
  /** The port it listens on (the one asked for, or a free one for 0). */
  readonly port: number;
  /** Stop listening and cut the connections still open. */
  close(): Promise<void>;
}

/** Listen on `from` and forward each connection to `to`; rejects with the listen error. */
export function forwardTcp(
  from: { readonly host: string; readonly port: number },
  to: { readonly host: string; readonly port: number },
): Promise<TcpForwarder> {
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(to.port, to.host);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      // Either side failing ends the pair: the other would wait for bytes that never come.
      socket.once('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(from.port, from.host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            for (const socket of open) socket.destroy();
          }),
      });
    });
  });
}
