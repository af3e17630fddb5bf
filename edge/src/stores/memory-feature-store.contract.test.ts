// The FeatureStore contract on the embedded store: the reference the Redis stores must match.
import { describeFeatureStoreContract } from './feature-store.contract.js';
import { createMemoryFeatureStore } from './memory-feature-store.js';

describeFeatureStoreContract('memory', ({ now }) =>
  Promise.resolve(createMemoryFeatureStore({ now })),
);
