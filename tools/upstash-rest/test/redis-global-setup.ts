/** vitest globalSetup of the 'tools' project: a real Redis on its own port. */
import { redisGlobalSetup } from '../../../scripts/services/redis-test-setup.js';

export default redisGlobalSetup({
  who: 'The tools tests',
  portVariable: 'VIGIL_TEST_REDIS_PORT',
  defaultPort: 6391,
});
