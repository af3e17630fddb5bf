/**
 * CLI: serve the Upstash REST protocol over a Redis.
 *
 *   REDIS_URL=redis://127.0.0.1:6390 UPSTASH_REST_TOKEN=dev UPSTASH_REST_PORT=8079 \
 *     npx tsx tools/upstash-rest/src/main.ts
 */
import { ConfigError, loadConfig } from './config.js';
import { startUpstashRest } from './server.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const bridge = await startUpstashRest(config);
  process.stdout.write(`upstash-rest: serving ${config.redisUrl} at ${bridge.url}\n`);

  const stop = (): void => {
    bridge.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  // Errors from startUpstashRest already say "upstash-rest: …"; config errors name the variable.
  const message =
    error instanceof ConfigError
      ? `upstash-rest: configuration error: ${error.message}`
      : error instanceof Error
        ? error.message
        : `upstash-rest: ${String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
