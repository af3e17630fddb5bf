/** vitest globalSetup of the 'edge-stores' project: a real Redis on its own port. */
import { redisGlobalSetup } from '../../../scripts/services/redis-test-setup.js';

export default redisGlobalSetup({
  who: 'The edge store tests',
  portVariable: 'VIGIL_TEST_STORES_REDIS_PORT',
  defaultPort: 6392,
});
