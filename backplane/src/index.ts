/** The backplane's public surface: start it, configure it, and the ports it hands down. */
export { startBackplane, createLogger, type Backplane, type StartOptions } from './main.js';
export {
  loadConfig,
  ConfigError,
  type BackplaneConfig,
  type BackplaneRole,
} from './config/index.js';
export type * from './ports.js';
export { LogUnavailableError } from './ports.js';
export { migrate, readMigrations } from './adapters/postgres/migrate.js';
