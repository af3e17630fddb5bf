// Test support for the HTTP hygiene tests of the Node edge, the Worker and the backplane: a
// client that stalls mid-request, and a real HTTP client of oversized bodies in its own process.
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';

/**
 * Writes `head` (a request's start) on a fresh connection to `url`'s host, then nothing; resolves
 * with everything the server sent once it closes the connection.
 */
export function stallRequest(url: string, head: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(head));
    let got = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (got += d));
    socket.on('error', reject);
    socket.on('close', () => resolve(got));
  });
}

export interface BigBodies {
  /** How many requests, one after the other. */
  readonly n: number;
  readonly bytes: number;
  /** Sent as a stream (Transfer-Encoding: chunked) instead of with a Content-Length. */
  readonly chunked: boolean;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * In one process with the server a reset does not show (the client's writes and the server's
 * close take turns on one event loop), hence the child process.
 *
 * POSTs `n` JSON bodies of about `bytes` bytes to `url` with fetch from a child process, and
 * returns what each got: `<status> <problem type>`, or the error code (ECONNRESET, EPIPE, …).
 */
export async function postBigBodies(url: string, o: BigBodies): Promise<string[]> {
  const client = `
    const o = ${JSON.stringify({ url, ...o })};
    const text = '{"pad":"' + 'x'.repeat(o.bytes) + '"}';
    const chunk = new TextEncoder().encode('x'.repeat(65_536));
    const chunks = () => {
      let sent = 0;
      return new ReadableStream({
        pull(c) {
          if (sent >= o.bytes) return c.close();
          sent += chunk.length;
          c.enqueue(chunk);
        },
      });
    };
    const got = [];
    for (let i = 0; i < o.n; i++) {
      try {
        const r = await fetch(o.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...o.headers },
          ...(o.chunked ? { body: chunks(), duplex: 'half' } : { body: text }),
        });
        const body = await r.text();
        let type = '';
        try { type = JSON.parse(body).type; } catch { type = body.slice(0, 80); }
        got.push(r.status + ' ' + type);
      } catch (e) {
        got.push(String(e.cause?.code ?? e.message));
      }
    }
    console.log(JSON.stringify(got));`;
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--input-type=module',
    '-e',
    client,
  ]);
  return JSON.parse(stdout) as string[];
}
