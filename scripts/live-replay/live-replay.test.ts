import { describe, inject } from 'vitest';
import { itReplaysLikeTheBacktest } from './live-replay.suite.js';

describe('replay through the Node edge, in-memory features', () => {
  itReplaysLikeTheBacktest('the in-memory store', () => ({}));
});

// The same proof with features in a real Redis: core's op programs folded by the Lua script.
describe('replay through the Node edge, Redis features over TCP', () => {
  // A generous deadline: this proves equality, not latency, on a machine that may be busy.
  itReplaysLikeTheBacktest('Redis over TCP', () => ({
    REDIS_URL: inject('redisUrl'),
    VIGIL_FEATURE_TIMEOUT_MS: '5000',
  }));
});
