// The Upstash store through the REST bridge (tools/upstash-rest) over a real Redis.
import { randomUUID } from 'node:crypto';
import { startUpstashRest, type UpstashRest } from '@vigil/upstash-rest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { describeFeatureStoreContract } from './feature-store.contract.js';
import { describeRedisFeatureStore, testPrefix } from './redis-feature-store.suite.js';
import { createUpstashFeatureStore } from './upstash-feature-store.js';

const redisUrl = inject('redisUrl');
const TOKEN = `token-${randomUUID()}`;
const TIMEOUT_MS = 5_000;

let bridge: UpstashRest;
beforeAll(async () => {
  bridge = await startUpstashRest({ redisUrl, token: TOKEN, port: 0, log: () => {} });
});
afterAll(async () => {
  await bridge?.close();
});

describeFeatureStoreContract('Redis over Upstash REST', ({ now }) =>
  Promise.resolve(
    createUpstashFeatureStore({
      url: bridge.url,
      token: TOKEN,
      prefix: testPrefix(),
      timeoutMs: TIMEOUT_MS,
      now,
    }),
  ),
);

describeRedisFeatureStore(
  'Redis over Upstash REST',
  () => redisUrl,
  (options) =>
    Promise.resolve(
      createUpstashFeatureStore({
        url: bridge.url,
        token: TOKEN,
        timeoutMs: TIMEOUT_MS,
        ...options,
      }),
    ),
);

describe('Redis over Upstash REST: the HTTP side', () => {
  const tx = { transactionId: 'a', customerId: 'c', terminalId: 't', timeSec: 1.7e9, amount: 1 };

  it('sends every request through the injected fetch, and counts them', async () => {
    const seen: string[] = [];
    const s = createUpstashFeatureStore({
      url: bridge.url,
      token: TOKEN,
      prefix: testPrefix(),
      timeoutMs: TIMEOUT_MS,
      fetch: (input, init) => {
        seen.push(input instanceof Request ? input.url : input.toString());
        return fetch(input, init);
      },
    });
    await s.step([tx]);
    await s.step([tx]);
    expect(seen.length).toBe(s.roundTrips);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.every((u) => u === bridge.url)).toBe(true);
    await s.close();
  });

  it('rejects with FEATURE_STORE_UNAVAILABLE on a wrong token, keeping the buffered answers', async () => {
    const s = createUpstashFeatureStore({ url: bridge.url, token: 'wrong', prefix: testPrefix() });
    await s.saveAnswers([{ transactionId: 'a', answer: 'A' }]);
    await expect(s.step([tx])).rejects.toMatchObject({ code: 'FEATURE_STORE_UNAVAILABLE' });
    expect(s.bufferedAnswers).toBe(1);
    await expect(s.close()).rejects.toMatchObject({ code: 'FEATURE_STORE_UNAVAILABLE' });
  });

  it('rejects with FEATURE_STORE_UNAVAILABLE when nothing listens', async () => {
    const s = createUpstashFeatureStore({
      url: 'http://127.0.0.1:1',
      token: TOKEN,
      timeoutMs: 2_000,
    });
    await expect(s.step([tx])).rejects.toMatchObject({ code: 'FEATURE_STORE_UNAVAILABLE' });
    await s.close();
  });
});
