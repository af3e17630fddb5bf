import { defineConfig } from 'vitest/config';

// One config, one project per package: `npm test` at the root runs them all.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'core', include: ['core/src/**/*.test.ts'] } },
      { test: { name: 'bench', include: ['bench/**/*.test.ts'] } },
      {
        test: {
          name: 'model',
          include: ['model/src/**/*.test.ts'],
          testTimeout: 120_000,
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
    ],
  },
});
