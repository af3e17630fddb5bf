import { describe } from 'vitest';
import { itReplaysLikeTheBacktest } from './live-replay.suite.js';

describe('replay through the Node edge, in-memory features', () => {
  itReplaysLikeTheBacktest('the in-memory store', () => ({}));
});
