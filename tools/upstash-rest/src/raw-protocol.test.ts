// The wire format itself, with plain fetch: encodings, status codes and error bodies.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startUpstashRest, type UpstashRest } from './server.js';

const TOKEN = `token-${randomUUID()}`;
const prefix = `test:raw:${randomUUID()}:`;
const key = (name: string): string => `${prefix}${name}`;
const b64 = (text: string | Uint8Array): string => Buffer.from(text).toString('base64');

let bridge: UpstashRest;
// Asymmetric matchers are typed `any`; as `unknown` they sit in expected objects lint-clean.
const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern);

beforeAll(async () => {
  bridge = await startUpstashRest({ redisUrl: inject('redisUrl'), token: TOKEN, port: 0 });
});
afterAll(async () => {
  await bridge?.close();
});

interface Sent {
  status: number;
  body: unknown;
  contentType: string | null;
}

interface PostOptions {
  base64?: boolean;
  /** null sends no Authorization header. */
  token?: string | null;
  /** Send `body` as it is instead of JSON-encoding it. */
  raw?: boolean;
}

async function post(
  path: string,
  body: unknown,
  { base64 = false, token = TOKEN, raw = false }: PostOptions = {},
): Promise<Sent> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  if (base64) headers['upstash-encoding'] = 'base64';
  const res = await fetch(`${bridge.url}${path}`, {
    method: 'POST',
    headers,
    body: raw ? (body as string) : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: await res.json(),
    contentType: res.headers.get('content-type'),
  };
}

describe('single command, POST /', () => {
  it('answers with base64 strings under Upstash-Encoding: base64, "OK" left as is', async () => {
    expect(await post('/', ['SET', key('k'), 'bar'], { base64: true })).toEqual({
      status: 200,
      body: { result: 'OK' },
      contentType: 'application/json',
    });
    expect((await post('/', ['GET', key('k')], { base64: true })).body).toEqual({ result: 'YmFy' });
    expect((await post('/', ['PING'], { base64: true })).body).toEqual({ result: b64('PONG') });
    expect((await post('/', ['INCR', key('n')], { base64: true })).body).toEqual({ result: 1 });
    expect((await post('/', ['GET', key('none')], { base64: true })).body).toEqual({
      result: null,
    });
    // A stored value "OK" is a bulk string, encoded like any other.
    await post('/', ['SET', key('ok'), 'OK']);
    expect((await post('/', ['GET', key('ok')], { base64: true })).body).toEqual({
      result: b64('OK'),
    });
  });

  it('answers with plain strings without the header', async () => {
    expect((await post('/', ['SET', key('p'), 'bar'])).body).toEqual({ result: 'OK' });
    expect((await post('/', ['GET', key('p')])).body).toEqual({ result: 'bar' });
    expect((await post('/', ['PING'])).body).toEqual({ result: 'PONG' });
    await post('/', ['HSET', key('h'), 'f1', 'v1', 'f2', 2]);
    expect((await post('/', ['HGETALL', key('h')])).body).toEqual({
      result: ['f1', 'v1', 'f2', '2'],
    });
  });

  it('accepts numbers and booleans as arguments', async () => {
    expect((await post('/', ['SET', key('num'), 12.5, 'EX', 100])).body).toEqual({ result: 'OK' });
    expect((await post('/', ['GET', key('num')])).body).toEqual({ result: '12.5' });
    expect((await post('/', ['SET', key('bool'), true])).body).toEqual({ result: 'OK' });
    expect((await post('/', ['GET', key('bool')])).body).toEqual({ result: 'true' });
  });

  it('encodes nested arrays from Lua recursively, numbers and nulls untouched', async () => {
    const script = "return {1, {'x', {2, 'y'}}, 'OK', redis.call('GET', KEYS[1])}";
    const encoded = await post('/', ['EVAL', script, 1, key('absent')], { base64: true });
    // GET of a missing key is Lua false inside the table, which Redis replies as a nil element.
    expect(encoded.body).toEqual({ result: [1, [b64('x'), [2, b64('y')]], b64('OK'), null] });
    const plain = await post('/', ['EVAL', script, 1, key('absent')]);
    expect(plain.body).toEqual({ result: [1, ['x', [2, 'y']], 'OK', null] });
  });

  it('is binary-safe under base64 and lossy (U+FFFD) without it, as Upstash documents', async () => {
    const script =
      "redis.call('SET', KEYS[1], string.char(0, 255, 254, 128)) return redis.call('GET', KEYS[1])";
    const encoded = await post('/', ['EVAL', script, 1, key('bin')], { base64: true });
    expect(encoded.body).toEqual({ result: b64(new Uint8Array([0, 255, 254, 128])) });
    const plain = await post('/', ['GET', key('bin')]);
    expect(plain.body).toEqual({ result: '\u0000\ufffd\ufffd\ufffd' });
  });

  it('returns Redis errors as 400 {error}', async () => {
    await post('/', ['SET', key('text'), 'abc']);
    expect(await post('/', ['INCR', key('text')], { base64: true })).toMatchObject({
      status: 400,
      body: { error: 'ERR value is not an integer or out of range' },
    });
    expect(await post('/', ['EVALSHA', 'f'.repeat(40), 0])).toEqual({
      status: 400,
      body: { error: 'NOSCRIPT No matching script. Please use EVAL.' },
      contentType: 'application/json',
    });
    expect((await post('/', ['NOSUCHCOMMAND'])).body).toEqual({
      error: matching(/^ERR unknown command/),
    });
  });

  it('refuses commands that would block or re-state the shared connection', async () => {
    for (const command of [['BLPOP', key('q'), 0], ['SELECT', 1], ['SUBSCRIBE', 'c'], ['MULTI']]) {
      const sent = await post('/', command);
      expect(sent.status).toBe(400);
      expect(sent.body).toEqual({ error: matching(/not allowed/) });
    }
    // The connection is still on database 0 and unblocked.
    expect((await post('/', ['PING'])).body).toEqual({ result: 'PONG' });
  });
});

describe('POST /pipeline', () => {
  it('answers one {result} or {error} per command, in order', async () => {
    const sent = await post(
      '/pipeline',
      [
        ['SET', key('pk'), 'v'],
        ['GET', key('pk')],
        ['INCR', key('pk')],
        ['GET', key('pmissing')],
        ['RPUSH', key('pl'), 'a', 'b'],
        ['LRANGE', key('pl'), 0, -1],
        ['BLPOP', key('pl'), 0],
      ],
      { base64: true },
    );
    expect(sent).toEqual({
      status: 200,
      contentType: 'application/json',
      body: [
        { result: 'OK' },
        { result: b64('v') },
        { error: 'ERR value is not an integer or out of range' },
        { result: null },
        { result: 2 },
        { result: [b64('a'), b64('b')] },
        { error: matching(/not allowed/) },
      ],
    });
    const plain = await post('/pipeline', [
      ['GET', key('pk')],
      ['LRANGE', key('pl'), 0, -1],
    ]);
    expect(plain.body).toEqual([{ result: 'v' }, { result: ['a', 'b'] }]);
  });
});

describe('POST /multi-exec', () => {
  it('runs the commands atomically and answers one entry per command', async () => {
    const sent = await post(
      '/multi-exec',
      [
        ['SET', key('tx'), 'x'],
        ['INCR', key('tx')],
        ['GET', key('tx')],
        ['INCR', key('txn')],
      ],
      { base64: true },
    );
    expect(sent).toEqual({
      status: 200,
      contentType: 'application/json',
      body: [
        { result: 'OK' },
        { error: 'ERR value is not an integer or out of range' },
        { result: b64('x') },
        { result: 1 },
      ],
    });
  });

  it('discards the whole transaction when a command cannot be queued: 400 {error}', async () => {
    const sent = await post('/multi-exec', [
      ['SET', key('discarded'), 'x'],
      ['NOSUCHCOMMAND', 'a'],
    ]);
    expect(sent.status).toBe(400);
    expect(sent.body).toEqual({ error: matching(/^ERR unknown command/) });
    expect((await post('/', ['EXISTS', key('discarded')])).body).toEqual({ result: 0 });
    // The shared connection is not left inside MULTI.
    expect((await post('/', ['PING'])).body).toEqual({ result: 'PONG' });
  });

  it('is not interleaved with concurrent requests on the shared connection', async () => {
    const counter = key('atomic');
    const transactions = Array.from({ length: 20 }, () =>
      post('/multi-exec', [
        ['INCR', counter],
        ['INCR', counter],
      ]),
    );
    const singles = Array.from({ length: 20 }, () => post('/', ['INCR', counter]));
    const done = await Promise.all(transactions);
    await Promise.all(singles);
    for (const { body } of done) {
      const [first, second] = body as [{ result: number }, { result: number }];
      expect(second.result).toBe(first.result + 1);
    }
    expect((await post('/', ['GET', counter])).body).toEqual({ result: '60' });
  });
});

describe('authentication', () => {
  it('answers 401 {error} without or with a wrong bearer token', async () => {
    expect(await post('/', ['PING'], { token: null })).toMatchObject({
      status: 401,
      body: { error: matching(/Unauthorized/) },
    });
    expect((await post('/pipeline', [['PING']], { token: 'nope' })).status).toBe(401);
    expect((await post('/multi-exec', [['PING']], { token: `${TOKEN}x` })).status).toBe(401);
  });

  it('accepts the token as ?_token= and a lowercase scheme', async () => {
    const viaQuery = await fetch(`${bridge.url}/?_token=${encodeURIComponent(TOKEN)}`, {
      method: 'POST',
      body: JSON.stringify(['PING']),
    });
    expect(await viaQuery.json()).toEqual({ result: 'PONG' });
    const lower = await fetch(`${bridge.url}/`, {
      method: 'POST',
      headers: { authorization: `bearer ${TOKEN}` },
      body: JSON.stringify(['PING']),
    });
    expect(lower.status).toBe(200);
  });
});

describe('malformed requests', () => {
  it('answers 400 with a clear message for bodies that are not commands', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['/', 'not json', /not valid JSON/],
      ['/', '', /not valid JSON/],
      ['/', '{"cmd":"GET"}', /non-empty JSON array/],
      ['/', '[]', /non-empty JSON array/],
      ['/', '["GET", {"a":1}]', /command\[1\] must be a string/],
      ['/', '["GET", null]', /command\[1\] must be a string/],
      ['/', '[""]', /command name/],
      ['/pipeline', '["SET","k","v"]', /command 0 must be a non-empty JSON array/],
      ['/pipeline', '[]', /non-empty JSON array of commands/],
      ['/pipeline', '[["PING"],[]]', /command 1 must be a non-empty JSON array/],
      ['/multi-exec', '{}', /non-empty JSON array of commands/],
    ];
    for (const [path, body, message] of cases) {
      const sent = await post(path, body, { raw: true });
      expect({ path, body, status: sent.status }).toEqual({ path, body, status: 400 });
      expect(sent.body).toEqual({ error: matching(message) });
    }
  });

  it('answers 413 past the 1 MiB body limit', async () => {
    const huge = JSON.stringify(['SET', key('huge'), 'x'.repeat(1024 * 1024)]);
    const sent = await post('/', huge, { raw: true });
    expect(sent.status).toBe(413);
    expect(sent.body).toEqual({ error: matching(/larger than 1048576 bytes/) });
    expect((await post('/', ['EXISTS', key('huge')])).body).toEqual({ result: 0 });
  });

  it('answers 405 for other methods and 404 for other paths', async () => {
    const get = await fetch(`${bridge.url}/`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await get.json()).toEqual({ error: matching(/use POST/) });
    const unknown = await post('/set/foo/bar', ['PING']);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: matching(/unknown endpoint/) });
  });

  it('keeps serving after all of the above', async () => {
    expect((await post('/', ['PING'])).body).toEqual({ result: 'PONG' });
  });
});
