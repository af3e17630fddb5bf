/** vitest globalSetup of the 'edge-workers' project: a real Redis for the Worker's Upstash store. */
import { redisGlobalSetup } from '../../../../../scripts/services/redis-test-setup.js';

export default redisGlobalSetup({
  who: 'The Worker tests',
  portVariable: 'VIGIL_TEST_WORKERS_REDIS_PORT',
  defaultPort: 6393,
});
