export * from './gbdt/index.js';
export * from './onnx/index.js';
export * from './pipeline/artifacts.js';
export * from './pipeline/backtest.js';
export * from './pipeline/live-replay.js';
export * from './pipeline/replay-features.js';
export * from './pipeline/train-pipeline.js';
