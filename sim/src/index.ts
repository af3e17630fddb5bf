export * from './dataset.js';
export * from './generate.js';
export * from './ndjson.js';
export * from './rng.js';
export {
  parseDecimal,
  parseInteger,
  parseSimulateArgs,
  SIMULATE_USAGE,
  type SimulateArgs,
} from './simulate-args.js';
export * from './live/traffic-pool.js';
export * from './live/traffic-scenarios.js';
