/** vitest globalSetup of the 'system' project: a real Redis for the live-replay proof. */
import { redisGlobalSetup } from '../services/redis-test-setup.js';

export default redisGlobalSetup({
  who: 'The live-replay tests',
  portVariable: 'VIGIL_TEST_REPLAY_REDIS_PORT',
  defaultPort: 6396,
});
