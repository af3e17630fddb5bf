/**
 * For lmdb-feature-store.test.ts: a process that opens the store in argv[2], steps one
 * transaction, prints "stepped" once the step has resolved (the point where the edge would
 * answer) and then waits, never closing the store, to be killed.
 */
import { openLmdbFeatureStore } from './lmdb-feature-store.js';

const { store } = await openLmdbFeatureStore({ dir: process.argv[2]! });
const out = await store.step([
  {
    transactionId: 'tx_crash',
    customerId: 'c_crash',
    terminalId: 't_crash',
    timeSec: Date.UTC(2024, 4, 1) / 1000,
    amount: 42,
  },
]);
process.stdout.write(`stepped ${out[0]?.kind}\n`);
setInterval(() => undefined, 60_000);
