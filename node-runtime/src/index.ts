/** Node-only runtime helpers shared by the Node edge and the backplane (core has no Node). */
export * from './serve-node.js';
export * from './stop-on-signals.js';
export * from './dir-lock.js';
