/**
 * Can the public origin listen where PORT and VIGIL_HOST say? Asked by `npm start` before anything
 * starts, so a taken port stops start-up at once with one line naming PORT, not after the
 * dashboard's build and the Worker's bundle with workerd's fatal-exception stack and Miniflare's
 * advice to pass a `--port` that `npm start` does not take. The edge's own failure to listen (the
 * port taken in between) is turned into the same line by `listenErrorOf`.
 */
import { createServer } from 'node:net';

/** The public origin cannot listen; `variable` names what to change (PORT or VIGIL_HOST). */
export class ListenError extends Error {
  readonly code = 'LISTEN_FAILED';
  constructor(
    readonly variable: 'PORT' | 'VIGIL_HOST',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ListenError';
  }
}

/** `host:port` as a URL writes it (IPv6 in brackets). */
const address = (host: string, port: number) =>
  `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** The one line for a failure to listen with this errno code, or null for another failure. */
function explain(code: string, host: string, port: number, cause: unknown): ListenError | null {
  const at = address(host, port);
  switch (code) {
    case 'EADDRINUSE':
    case 'ERR_ADDRESS_IN_USE': // Miniflare's name for workerd's bind failure
      return new ListenError(
        'PORT',
        `PORT ${port} is already in use (${at}): stop what listens there, or set PORT to a free ` +
          'port (PORT=0 picks one)',
        { cause },
      );
    case 'EACCES':
      return new ListenError(
        'PORT',
        `PORT ${port} may not be listened on by this user (${at}; ports below 1024 need ` +
          'privileges): set PORT to another port',
        { cause },
      );
    case 'EADDRNOTAVAIL':
    case 'EAFNOSUPPORT': // :: on a machine without IPv6
      return new ListenError(
        'VIGIL_HOST',
        `VIGIL_HOST ${host} is not an address of this machine: set it to one of its addresses, ` +
          '127.0.0.1 (this machine only) or 0.0.0.0 (every interface)',
        { cause },
      );
    default:
      return null;
  }
}

/** The errno-style `code` of `e` or of an error in its `cause` chain. */
function codes(e: unknown): string[] {
  const out: string[] = [];
  for (let c = e, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') out.push(code);
  }
  return out;
}

/**
 * A ListenError when `e` (or its cause) is a failure to listen on `host:port` — Node's EADDRINUSE,
 * Miniflare's ERR_ADDRESS_IN_USE, … — else null.
 */
export function listenErrorOf(e: unknown, host: string, port: number): ListenError | null {
  for (const code of codes(e)) {
    const explained = explain(code, host, port, e);
    if (explained) return explained;
  }
  return null;
}

/**
 * Listens on `host:port` and lets go at once: the port to use (a free one when `port` is 0), or a
 * ListenError naming the variable to change.
 */
export function checkListen(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (e) => {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      reject(
        explain(code, host, port, e) ??
          new ListenError(
            'PORT',
            `cannot listen on ${address(host, port)} (PORT, VIGIL_HOST): ${e.message}`,
            { cause: e },
          ),
      );
    });
    server.listen({ host, port, exclusive: true }, () => {
      const bound = server.address();
      server.close(() =>
        bound !== null && typeof bound === 'object'
          ? resolve(bound.port)
          : reject(new Error('no port')),
      );
    });
  });
}
