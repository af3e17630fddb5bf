/**
 * The vitest globalSetup for test projects that need a real Kafka: fetches the jars through
 * kafka.sh when missing, starts one KRaft node on the project's own port (so projects never race
 * each other over start and stop), provides `kafkaBrokers` and `kafkaPort`, and stops the node
 * afterwards if it started it. If Kafka cannot be had, the run fails saying why: it never skips.
 *
 * Fault drills stop and start the node with stopKafka / startKafka; its topics and committed
 * offsets survive that (they live in .vigil/kafka-PORT until `kafka.sh reset PORT`).
 */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { runServiceScript, runServiceScriptOrThrow } from './service-script.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `127.0.0.1:PORT` of the Kafka node the tests run against: KafkaJS `brokers: [kafkaBrokers]`. */
    kafkaBrokers: string;
    /** That node's port, for stopKafka / startKafka in fault drills. */
    kafkaPort: number;
  }
}

const SCRIPT = 'kafka.sh';

export interface KafkaSetupOptions {
  /** Who needs it, for the error message: "The backplane tests". */
  readonly who: string;
  /** The environment variable that overrides the port. */
  readonly portVariable: string;
  /** The broker port; the node's controller listens on this + 1000. */
  readonly defaultPort: number;
  /**
   * Delete the node's data (topics, offsets) before starting it, for a run that starts from
   * nothing. Only when this setup starts the node: a node that already runs is left alone.
   */
  readonly fresh?: boolean;
}

/** A globalSetup function for one test project. */
export function kafkaGlobalSetup(
  o: KafkaSetupOptions,
): (project: TestProject) => Promise<() => Promise<void>> {
  return async (project) => {
    const port = Number(process.env[o.portVariable] ?? o.defaultPort);
    const install = await runServiceScript(SCRIPT, ['install']);
    if (!install.ok) {
      throw new Error(
        `${o.who} need a real Kafka, and \`bash scripts/services/kafka.sh install\` ` +
          `(Kafka's jars from Maven Central, Java 17) failed:\n${install.output}`,
      );
    }
    const wasRunning = (await runServiceScript(SCRIPT, ['status', String(port)])).ok;
    if (o.fresh && !wasRunning) {
      const reset = await runServiceScript(SCRIPT, ['reset', String(port)]);
      if (!reset.ok) throw new Error(`kafka.sh reset ${port} failed:\n${reset.output}`);
    }
    const start = await runServiceScript(SCRIPT, ['start', String(port)]);
    if (!start.ok) {
      throw new Error(
        `${o.who} need a real Kafka on 127.0.0.1:${port}, and ` +
          `\`bash scripts/services/kafka.sh start ${port}\` failed:\n${start.output}\n` +
          `Set ${o.portVariable} to use another port.`,
      );
    }
    project.provide('kafkaBrokers', `127.0.0.1:${port}`);
    project.provide('kafkaPort', port);
    return async () => {
      if (!wasRunning) await runServiceScript(SCRIPT, ['stop', String(port)]);
    };
  };
}

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
