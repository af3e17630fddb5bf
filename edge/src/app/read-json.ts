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
 * The request body as an untrusted JSON value: 415 unless it is declared JSON, 400 unless it
 * parses. The size limit was enforced before (bodyLimit middleware); validation comes after.
 */
export async function readJsonBody(c: Context): Promise<unknown> {
  const type = c.req.header('content-type');
  if (type === undefined || !isJson(type)) {
    const got = type === undefined ? 'no Content-Type' : `Content-Type ${clip(type, 100)}`;
    throw new ProblemError(
      'unsupported-media-type',
      `send Content-Type: application/json (got ${got})`,
    );
  }
  const text = await c.req.text();
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
