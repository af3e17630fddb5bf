export { startUpstashRest, type UpstashRest, type UpstashRestOptions } from './server.js';
export { loadConfig, ConfigError, type UpstashRestConfig } from './config.js';
export { encodeReply, type JsonReply } from './encode.js';
