// The TCP store on a real Redis (started by the 'edge-stores' globalSetup).
import { describe, expect, inject, it } from 'vitest';
import { describeFeatureStoreContract } from './feature-store.contract.js';
import { describeRedisFeatureStore, testPrefix } from './redis-feature-store.suite.js';
import { createRedisTcpFeatureStore } from './redis-tcp-feature-store.js';

const url = inject('redisUrl');
// Generous: the suite must not flake on a loaded machine; timeouts are tested on purpose.
const TIMEOUT_MS = 5_000;

describeFeatureStoreContract('Redis over TCP', ({ now }) =>
  createRedisTcpFeatureStore({ url, prefix: testPrefix(), timeoutMs: TIMEOUT_MS, now }),
);

describeRedisFeatureStore(
  'Redis over TCP',
  () => url,
  (options) => createRedisTcpFeatureStore({ url, timeoutMs: TIMEOUT_MS, ...options }),
);

describe('Redis over TCP: connecting', () => {
  it('rejects at creation, naming the URL but not the password, when Redis is unreachable', async () => {
    const error: unknown = await createRedisTcpFeatureStore({
      url: 'redis://:s3cret@127.0.0.1:1',
      connectTimeoutMs: 1_000,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'FEATURE_STORE_UNAVAILABLE' });
    expect(String((error as Error).message)).toContain('127.0.0.1:1');
    expect(String((error as Error).message)).not.toContain('s3cret');
  });
});
