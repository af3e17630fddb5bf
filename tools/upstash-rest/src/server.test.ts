// Contract tests: the real @upstash/redis SDK against the bridge over a real Redis.
import { randomUUID } from 'node:crypto';
import { Redis } from '@upstash/redis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startUpstashRest, type UpstashRest } from './server.js';

const TOKEN = `token-${randomUUID()}`;
const CLIENT_NAME = `vigil-upstash-rest-test-${process.pid}`;
const prefix = `test:sdk:${randomUUID()}:`;
const key = (name: string): string => `${prefix}${name}`;

let bridge: UpstashRest;
let sdk: Redis; // the SDK's defaults: auto-pipelining, base64 responses, JSON deserialization
let sdkDirect: Redis; // one HTTP request per command
let sdkRaw: Redis; // no automatic JSON deserialization: byte-exact strings

beforeAll(async () => {
  bridge = await startUpstashRest({
    redisUrl: inject('redisUrl'),
    token: TOKEN,
    port: 0,
    clientName: CLIENT_NAME,
  });
  const base = { url: bridge.url, token: TOKEN, retry: false as const, enableTelemetry: false };
  sdk = new Redis(base);
  sdkDirect = new Redis({ ...base, enableAutoPipelining: false });
  sdkRaw = new Redis({ ...base, enableAutoPipelining: false, automaticDeserialization: false });
});

afterAll(async () => {
  await bridge?.close();
});

describe('@upstash/redis SDK through the bridge', () => {
  it('sets and gets strings, and reads a missing key as null', async () => {
    expect(await sdk.set(key('greeting'), 'hello')).toBe('OK');
    expect(await sdk.get(key('greeting'))).toBe('hello');
    expect(await sdkDirect.get(key('greeting'))).toBe('hello');
    expect(await sdk.get(key('missing'))).toBeNull();
  });

  it('increments counters as integers', async () => {
    expect(await sdk.incr(key('n'))).toBe(1);
    expect(await sdkDirect.incrby(key('n'), 41)).toBe(42);
    expect(await sdk.get(key('n'))).toBe(42);
  });

  it('writes and reads hashes', async () => {
    expect(await sdk.hset(key('h'), { count: 3, name: 'terminal-7', obj: { a: [1, 2] } })).toBe(3);
    expect(await sdk.hgetall(key('h'))).toEqual({
      count: 3,
      name: 'terminal-7',
      obj: { a: [1, 2] },
    });
    expect(await sdkDirect.hget(key('h'), 'name')).toBe('terminal-7');
  });

  it('runs an explicit pipeline in one request, in order', async () => {
    const results = await sdkDirect
      .pipeline()
      .set(key('p'), 'v1')
      .incr(key('pc'))
      .get(key('p'))
      .hset(key('ph'), { f: 'x' })
      .hgetall(key('ph'))
      .exec();
    expect(results).toEqual(['OK', 1, 'v1', 1, { f: 'x' }]);
  });

  it('reports a failing pipeline command with the SDK error, or keeps it with keepErrors', async () => {
    await sdk.set(key('text'), 'not a number');
    await expect(sdkDirect.pipeline().get(key('text')).incr(key('text')).exec()).rejects.toThrow(
      /Command 2 \[ incr \] failed: ERR value is not an integer/,
    );
    const kept = await sdkDirect
      .pipeline()
      .get(key('text'))
      .incr(key('text'))
      .exec({ keepErrors: true });
    expect(kept[0]).toEqual({ error: undefined, result: 'not a number' });
    expect(kept[1]?.error).toMatch(/ERR value is not an integer/);
  });

  it('auto-pipelines concurrent commands', async () => {
    // The auto-pipelining proxy exposes a counter its type does not declare.
    const batches = (): number => (sdk as unknown as { pipelineCounter: number }).pipelineCounter;
    const before = batches();
    const [a, b, c] = await Promise.all([
      sdk.set(key('auto'), 'x'),
      sdk.incr(key('auto-n')),
      sdk.get(key('auto')),
    ]);
    expect([a, b, c]).toEqual(['OK', 1, 'x']);
    expect(batches() - before).toBeLessThanOrEqual(2); // one write batch, one read batch
  });

  it('runs a MULTI/EXEC transaction', async () => {
    const results = await sdkDirect
      .multi()
      .set(key('tx'), 'a')
      .append(key('tx'), 'b')
      .get(key('tx'))
      .incr(key('tx-n'))
      .exec();
    expect(results).toEqual(['OK', 2, 'ab', 1]);
  });

  it('reports a command failing inside EXEC while the others are applied', async () => {
    await sdk.set(key('tx-text'), 'abc');
    await expect(
      sdkDirect.multi().set(key('tx-after'), 'applied').incr(key('tx-text')).exec(),
    ).rejects.toThrow(/Command 2 \[ incr \] failed: ERR value is not an integer/);
    expect(await sdk.get(key('tx-after'))).toBe('applied');
  });

  const NESTED = `
    redis.call('SET', KEYS[1], ARGV[1])
    return {redis.call('GET', KEYS[1]), 42, {1, 2, {'deep', 3, {}}}, 'tail', 7.9}`;

  it('evaluates Lua returning nested arrays and numbers', async () => {
    const result = await sdk.eval(NESTED, [key('lua')], ['hello']);
    // Lua numbers become integers (7.9 → 7); an empty table is an empty array.
    expect(result).toEqual(['hello', 42, [1, 2, ['deep', 3, []]], 'tail', 7]);
  });

  it('runs EVALSHA of a loaded script', async () => {
    const sha = await sdkDirect.scriptLoad(NESTED);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await sdk.evalsha(sha, [key('lua2')], ['again'])).toEqual([
      'again',
      42,
      [1, 2, ['deep', 3, []]],
      'tail',
      7,
    ]);
  });

  it('returns NOSCRIPT for an unknown sha, as an SDK error', async () => {
    await expect(sdkDirect.evalsha('0'.repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
    await expect(sdk.evalsha('1'.repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
  });

  it('lets Script.exec fall back from EVALSHA to EVAL on NOSCRIPT', async () => {
    for (const client of [sdk, sdkDirect]) {
      // A body no other run has loaded, so the first EVALSHA must miss.
      const body = `return {ARGV[1], '${randomUUID()}' ~= '', #KEYS}`;
      const script = client.createScript<[string, number, number]>(body);
      expect(await script.exec([key('s1'), key('s2')], ['arg'])).toEqual(['arg', 1, 2]);
      expect(await script.evalsha([key('s1')], ['cached'])).toEqual(['cached', 1, 1]);
    }
  });

  it('round-trips unicode and awkward strings byte for byte', async () => {
    const values = [
      'héllo wörld',
      '日本語テキスト',
      'emoji 🚀🧪 and a ZWJ 👩‍💻',
      'quotes " and \\ backslashes',
      'line\nbreak\ttab\r\n',
      'nul\u0000byte',
      'OK',
      'YmFy', // looks like base64
      'T0s=',
      '',
      '12345',
      'x'.repeat(100_000),
    ];
    for (const [i, value] of values.entries()) {
      expect(await sdkRaw.set(key(`u${i}`), value)).toBe('OK');
      expect(await sdkRaw.get(key(`u${i}`))).toBe(value);
    }
    const many = await sdkRaw.mget<string[]>(...values.map((_, i) => key(`u${i}`)));
    expect(many).toEqual(values);
  });

  it('round-trips JSON values through the default deserialization', async () => {
    const value = {
      customer: 'c_4711',
      amounts: [57.16, 0],
      note: 'naïve – ✓',
      nested: { ok: true },
    };
    await sdk.set(key('json'), value);
    expect(await sdk.get(key('json'))).toEqual(value);
  });

  it('rejects a wrong token with the SDK error', async () => {
    const intruder = new Redis({
      url: bridge.url,
      token: 'wrong',
      retry: false,
      enableAutoPipelining: false,
    });
    await expect(intruder.get(key('greeting'))).rejects.toThrow(/Unauthorized/);
  });

  it('serves every request over one long-lived Redis connection', async () => {
    const direct = createClient({ url: inject('redisUrl') });
    await direct.connect();
    try {
      const connections = async (): Promise<number> =>
        (await direct.sendCommand<string>(['CLIENT', 'LIST']))
          .split('\n')
          .filter((line) => line.includes(` name=${CLIENT_NAME} `)).length;
      expect(await connections()).toBe(1);
      await Promise.all(Array.from({ length: 50 }, (_, i) => sdkDirect.incr(key(`conn${i % 5}`))));
      expect(await connections()).toBe(1);
    } finally {
      await direct.close();
    }
  });
});
