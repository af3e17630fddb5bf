import type { Context } from 'hono';
import { ProblemError } from './problem.js';

/** `application/json` or any `+json` type, parameters (charset) ignored. */
function isJson(contentType: string): boolean {
  const media = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return (
    media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'))
  );
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

/**
 * The body's text, or a 408 problem once `timeoutMs` has passed with the body still arriving. On
 * Node the server's own request deadline closes such a connection (serve-node.ts); workerd has
 * none, and a client that sent half a body held its connection until the process stopped (issue
 * 13). Cancelling the body and answering makes workerd close the connection after the 408.
 */
async function bodyText(c: Context, timeoutMs: number): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new ProblemError(
          'request-timeout',
          `the request body did not arrive within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([c.req.text(), late]);
  } catch (e) {
    if (e instanceof ProblemError) c.req.raw.body?.cancel().catch(() => {});
    throw e;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/**
 * The request body as an untrusted JSON value: 415 unless it is declared JSON, 408 unless it
 * arrives within `timeoutMs`, 400 unless it parses. The size limit was enforced before (limitBody
 * middleware); validation comes after.
 */
export async function readJsonBody(c: Context, timeoutMs: number): Promise<unknown> {
  const type = c.req.header('content-type');
  if (type === undefined || !isJson(type)) {
    const got = type === undefined ? 'no Content-Type' : `Content-Type ${clip(type, 100)}`;
    throw new ProblemError(
      'unsupported-media-type',
      `send Content-Type: application/json (got ${got})`,
    );
  }
  const text = await bodyText(c, timeoutMs);
  if (text.trim() === '') {
    throw new ProblemError('malformed-json', 'the request body is empty', {
      errors: [{ path: '', message: 'expected a JSON document' }],
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    // V8's messages name the position ("… at position 12"), which is what a caller needs.
    const message = clip(e instanceof Error ? e.message : String(e), 200);
    throw new ProblemError('malformed-json', `the request body is not valid JSON: ${message}`, {
      errors: [{ path: '', message }],
    });
  }
}
