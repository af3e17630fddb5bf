/**
 * The vitest globalSetup for test projects that need a real PostgreSQL: installs it through
 * postgres.sh when missing, starts a cluster of the project's own on its own port (so projects
 * never race each other over start and stop), makes sure the role and database `vigil` exist,
 * provides `databaseUrl` and `postgresPort`, and stops the cluster afterwards if it started it.
 * If PostgreSQL cannot be had, the run fails saying why: it never skips.
 *
 * Fault drills use stopPostgres / startPostgres / restartPostgres; the data survives them (it
 * lives in .vigil/postgres-PORT until `postgres.sh reset PORT`).
 */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { runServiceScript, runServiceScriptOrThrow } from './service-script.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `postgres://vigil:vigil@127.0.0.1:PORT/vigil` of the cluster the tests run against. */
    databaseUrl: string;
    /** That cluster's port, for stopPostgres / startPostgres / restartPostgres in fault drills. */
    postgresPort: number;
  }
}

const SCRIPT = 'postgres.sh';

/** The DATABASE_URL of the cluster postgres.sh runs on PORT. */
export function postgresUrl(port: number): string {
  return `postgres://vigil:vigil@127.0.0.1:${port}/vigil`;
}

export interface PostgresSetupOptions {
  /** Who needs it, for the error message: "The backplane tests". */
  readonly who: string;
  /** The environment variable that overrides the port. */
  readonly portVariable: string;
  readonly defaultPort: number;
  /**
   * Delete the cluster's data before starting it, for a run that starts from an empty database.
   * Only when this setup starts the cluster: one that already runs is left alone.
   */
  readonly fresh?: boolean;
}

/** A globalSetup function for one test project. */
export function postgresGlobalSetup(
  o: PostgresSetupOptions,
): (project: TestProject) => Promise<() => Promise<void>> {
  return async (project) => {
    const port = Number(process.env[o.portVariable] ?? o.defaultPort);
    const install = await runServiceScript(SCRIPT, ['install']);
    if (!install.ok) {
      throw new Error(
        `${o.who} need a real PostgreSQL, and \`bash scripts/services/postgres.sh install\` ` +
          `(apt-get install postgresql, needs root) failed:\n${install.output}`,
      );
    }
    const wasRunning = (await runServiceScript(SCRIPT, ['status', String(port)])).ok;
    if (o.fresh && !wasRunning) {
      const reset = await runServiceScript(SCRIPT, ['reset', String(port)]);
      if (!reset.ok) throw new Error(`postgres.sh reset ${port} failed:\n${reset.output}`);
    }
    const start = await runServiceScript(SCRIPT, ['start', String(port)]);
    if (!start.ok) {
      throw new Error(
        `${o.who} need a real PostgreSQL on 127.0.0.1:${port}, and ` +
          `\`bash scripts/services/postgres.sh start ${port}\` failed:\n${start.output}\n` +
          `Set ${o.portVariable} to use another port.`,
      );
    }
    project.provide('databaseUrl', postgresUrl(port));
    project.provide('postgresPort', port);
    return async () => {
      if (!wasRunning) await runServiceScript(SCRIPT, ['stop', String(port)]);
    };
  };
}

/** Starts the cluster on PORT (data kept), resolving to its DATABASE_URL once it connects. */
export async function startPostgres(port: number): Promise<string> {
  await runServiceScriptOrThrow(SCRIPT, ['start', String(port)]);
  return postgresUrl(port);
}

/** Stops the cluster on PORT (pg_ctl stop -m fast: open sessions are cut). */
export async function stopPostgres(port: number): Promise<void> {
  await runServiceScriptOrThrow(SCRIPT, ['stop', String(port)]);
}

/** Stops and starts the cluster on PORT, resolving to its DATABASE_URL once it connects again. */
export async function restartPostgres(port: number): Promise<string> {
  await runServiceScriptOrThrow(SCRIPT, ['restart', String(port)]);
  return postgresUrl(port);
}
