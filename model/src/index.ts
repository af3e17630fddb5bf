export * from './simulate/index.js';
export * from './gbdt/index.js';
export * from './pipeline/replay-features.js';
export * from './pipeline/train-pipeline.js';
