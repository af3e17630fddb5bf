import solid from 'vite-plugin-solid';
import { configDefaults, defineConfig } from 'vitest/config';

// One config, one project per package: `npm test` at the root runs them all.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'core', include: ['core/src/**/*.test.ts'] } },
      { test: { name: 'node-runtime', include: ['node-runtime/src/**/*.test.ts'] } },
      { test: { name: 'bench', include: ['bench/**/*.test.ts'] } },
      { test: { name: 'sim', include: ['sim/src/**/*.test.ts'], testTimeout: 120_000 } },
      {
        test: {
          name: 'model',
          include: ['model/src/**/*.test.ts'],
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'edge',
          include: ['edge/src/**/*.test.ts'],
          // The stores' tests need a real Redis: they run in 'edge-stores'.
          exclude: [...configDefaults.exclude, 'edge/src/stores/**', 'edge/src/runtime/workers/**'],
          // Suites train a small model first (a few seconds).
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'edge-stores',
          include: ['edge/src/stores/**/*.test.ts'],
          // Starts a real Redis through scripts/services/redis.sh (installing it when missing).
          globalSetup: ['edge/src/stores/test-redis-setup.ts'],
        },
      },
      {
        test: {
          name: 'edge-workers',
          include: ['edge/src/runtime/workers/**/*.test.ts'],
          // A real Redis for the Worker's Upstash store (scripts/services/redis.sh).
          globalSetup: ['edge/src/runtime/workers/host/redis-global-setup.ts'],
          // Bundles the Worker with wrangler and starts it in workerd (Miniflare): seconds.
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'tools',
          include: ['tools/**/*.test.ts'],
          // Starts a real Redis through scripts/services/redis.sh (installing it when missing).
          globalSetup: ['tools/upstash-rest/test/redis-global-setup.ts'],
        },
      },
      {
        test: {
          name: 'backplane',
          include: ['backplane/src/**/*.test.ts'],
          // Tests against real Kafka and Postgres live in backplane/test (project backplane-services).
          testTimeout: 30_000,
          // PGlite (Postgres in WASM) takes seconds to start on a busy machine.
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'backplane-services',
          include: ['backplane/test/**/*.test.ts'],
          globalSetup: ['backplane/test/global-setup.ts'],
          // Real Kafka (KRaft, Maven jars) on 19092 and PostgreSQL on 15433, started by the
          // scripts in scripts/services; fault drills stop and restart them, so files run one by one.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        // Components are compiled for Solid's server renderer: their tests render them to HTML in
        // Node (renderToString), with no DOM emulation to install.
        plugins: [solid({ ssr: true })],
        test: {
          name: 'web',
          include: ['web/src/**/*.test.ts', 'web/src/**/*.test.tsx'],
        },
      },
      {
        test: {
          name: 'system',
          include: ['scripts/**/*.test.ts'],
          // The whole system (scripts/system.ts), once with the edge in workerd, once on Node;
          // and the live-replay proof (scripts/live-replay), one run on a real Redis.
          globalSetup: ['scripts/live-replay/redis-global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 240_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['web/e2e/**/*.test.ts'],
          // Debian's Chromium through playwright-core against the whole system (scripts/system.ts);
          // the setup installs Chromium (scripts/services/chromium.sh) or fails saying why.
          globalSetup: ['web/e2e/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
