/** The edge app's public surface: what each runtime calls to build and serve it. */
export {
  consoleLogger,
  createApp,
  describeError,
  LABEL_TIMEOUT_MS,
  SINGLE_BODY_BYTES,
} from './create-app.js';
export type { EdgeAppDeps } from './create-app.js';
export type { EdgeEnv, LogEntry, Logger, ServedModel } from './app-context.js';
export { buildOpenApiDocument } from './openapi.js';
export { PROBLEMS, problemType, PROBLEM_CONTENT_TYPE } from './problem.js';
