/**
 * The response side: Redis replies as Upstash's JSON. With `Upstash-Encoding: base64` every
 * string is sent base64-encoded (binary-safe), except a top-level "OK" status, which Upstash
 * sends as is and the SDK expects either way. Integers and nulls are never encoded.
 */

/** A reply value as the JSON response carries it. */
export type JsonReply = null | number | string | JsonReply[];

/**
 * What the Redis client hands back with bulk strings mapped to Buffer: Buffer for bulk strings,
 * string for status replies, number, null, arrays of these, and Error for an error inside an
 * array (an EXEC element, a Lua table holding an error).
 */
export type RawReply = unknown;

/** Encodes one command's reply; `topLevel` is false for elements of an array reply. */
export function encodeReply(reply: RawReply, base64: boolean, topLevel = true): JsonReply {
  if (reply === null || reply === undefined) return null;
  if (typeof reply === 'number') return reply;
  if (Buffer.isBuffer(reply)) return base64 ? reply.toString('base64') : reply.toString('utf8');
  if (typeof reply === 'string') {
    if (!base64 || (topLevel && reply === 'OK')) return reply;
    return Buffer.from(reply, 'utf8').toString('base64');
  }
  if (Array.isArray(reply)) return reply.map((item) => encodeReply(item, base64, false));
  if (reply instanceof Error) return encodeReply(reply.message, base64, false);
  if (typeof reply === 'bigint') return Number(reply);
  if (typeof reply === 'boolean') return reply ? 1 : 0;
  // RESP2 produces nothing else; reaching here is a bug, answered as a 500 by the server.
  throw new TypeError(`unexpected Redis reply of type ${typeof reply}`);
}
