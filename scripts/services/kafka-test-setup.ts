/**
 * The vitest globalSetup for test projects that need a real Kafka (one KRaft node; jars fetched
 * by kafka.sh when missing): provides `kafkaBrokers` and `kafkaPort`.
 *
 * Fault drills stop and start the node with stopKafka / startKafka; its topics and committed
 * offsets survive that (they live in .vigil/kafka-PORT until `kafka.sh reset PORT`).
 */
import type {} from 'vitest';
import {
  runServiceScriptOrThrow,
  serviceGlobalSetup,
  type ServiceSetupOptions,
} from './service-script.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `127.0.0.1:PORT` of the Kafka node the tests run against: KafkaJS `brokers: [kafkaBrokers]`. */
    kafkaBrokers: string;
    /** That node's port, for stopKafka / startKafka in fault drills. */
    kafkaPort: number;
  }
}

const SCRIPT = 'kafka.sh';

/** A globalSetup function for one test project; the node's controller listens on port + 1000. */
export const kafkaGlobalSetup = (o: ServiceSetupOptions) =>
  serviceGlobalSetup(
    { script: SCRIPT, name: 'Kafka', install: "Kafka's jars from Maven Central, Java 17" },
    o,
    (project, port) => {
      project.provide('kafkaBrokers', `127.0.0.1:${port}`);
      project.provide('kafkaPort', port);
    },
  );

/**
 * Starts the node on PORT (data kept from before), resolving once it serves clients; resolves to
 * its `127.0.0.1:PORT`. Rejects with kafka.sh's output when it cannot.
 */
export async function startKafka(port: number): Promise<string> {
  await runServiceScriptOrThrow(SCRIPT, ['start', String(port)]);
  return `127.0.0.1:${port}`;
}

/** Stops the node on PORT (SIGTERM, a clean shutdown; SIGKILL after 30 s). */
export async function stopKafka(port: number): Promise<void> {
  await runServiceScriptOrThrow(SCRIPT, ['stop', String(port)]);
}
