/**
 * globalSetup of the `backplane-services` project: a real Kafka (one KRaft node) on 19092 and a
 * real PostgreSQL on 15433, started through scripts/services (installed when missing). If either
 * cannot be had the run fails saying why — the drills never skip. Ports: VIGIL_TEST_KAFKA_PORT,
 * VIGIL_TEST_POSTGRES_PORT.
 */
import type { TestProject } from 'vitest/node';
import { kafkaGlobalSetup } from '../../scripts/services/kafka-test-setup.js';
import { postgresGlobalSetup } from '../../scripts/services/postgres-test-setup.js';

const kafka = kafkaGlobalSetup({
  who: 'The backplane fault drills',
  portVariable: 'VIGIL_TEST_KAFKA_PORT',
  defaultPort: 19092,
});
const postgres = postgresGlobalSetup({
  who: 'The backplane fault drills',
  portVariable: 'VIGIL_TEST_POSTGRES_PORT',
  defaultPort: 15433,
});

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [stopKafka, stopPostgres] = await Promise.all([kafka(project), postgres(project)]);
  return async () => {
    await Promise.all([stopKafka(), stopPostgres()]);
  };
}
