/**
 * The vitest globalSetup for test projects that need a real PostgreSQL (installed by postgres.sh
 * when missing): a cluster of the project's own, with the role and database `vigil`; provides
 * `databaseUrl` and `postgresPort`.
 *
 * Fault drills use stopPostgres / startPostgres; the data survives them (it lives in
 * .vigil/postgres-PORT until `postgres.sh reset PORT`).
 */
import type {} from 'vitest';
import {
  runServiceScriptOrThrow,
  serviceGlobalSetup,
  type ServiceSetupOptions,
} from './service-script.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `postgres://vigil:vigil@127.0.0.1:PORT/vigil` of the cluster the tests run against. */
    databaseUrl: string;
    /** That cluster's port, for stopPostgres / startPostgres in fault drills. */
    postgresPort: number;
  }
}

const SCRIPT = 'postgres.sh';

/** The DATABASE_URL of the cluster postgres.sh runs on PORT. */
const postgresUrl = (port: number) => `postgres://vigil:vigil@127.0.0.1:${port}/vigil`;

/** A globalSetup function for one test project. */
export const postgresGlobalSetup = (o: ServiceSetupOptions) =>
  serviceGlobalSetup(
    { script: SCRIPT, name: 'PostgreSQL', install: 'apt-get install postgresql, needs root' },
    o,
    (project, port) => {
      project.provide('databaseUrl', postgresUrl(port));
      project.provide('postgresPort', port);
    },
  );

/** Starts the cluster on PORT (data kept), resolving to its DATABASE_URL once it connects. */
export async function startPostgres(port: number): Promise<string> {
  await runServiceScriptOrThrow(SCRIPT, ['start', String(port)]);
  return postgresUrl(port);
}

/** Stops the cluster on PORT (pg_ctl stop -m fast: open sessions are cut). */
export async function stopPostgres(port: number): Promise<void> {
  await runServiceScriptOrThrow(SCRIPT, ['stop', String(port)]);
}
