/**
 * The backplane's one Postgres handle (postgres.js): DATABASE_URL when set, else embedded PGlite
 * under `<dataDir>/pgdata` behind pglite-socket — one data-layer code path for both. Migrations
 * are applied before the handle is returned.
 */
import { join } from 'node:path';
import postgres, { type Sql } from 'postgres';
import type { Logger } from 'pino';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-pglite.js';
import { migrate } from './migrate.js';

export interface Database {
  readonly sql: Sql;
  /** For logs and the banner: host and database, never a password. */
  readonly description: string;
  readonly embedded: boolean;
  /** The URL the handle connects to (embedded: PGlite's socket on 127.0.0.1). */
  readonly url: string;
  /** Close the pool (waiting up to `timeoutS` for queries), then the embedded server. */
  close(timeoutS?: number): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** DATABASE_URL, or null for embedded PGlite. */
  readonly url: string | null;
  /** Where embedded PGlite keeps `pgdata` ('memory' in tests: a throwaway database). */
  readonly dataDir: string;
  readonly log: Logger;
  /** Pool size for a real server (default 10); PGlite always gets 1. */
  readonly max?: number;
}

function describe(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}${u.pathname}`;
}

/** Connect (starting PGlite when needed) and migrate. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  let embedded: EmbeddedPostgres | null = null;
  let url = options.url;
  if (url === null) {
    embedded = await startEmbeddedPostgres(
      options.dataDir === 'memory' ? 'memory' : join(options.dataDir, 'pgdata'),
    );
    url = embedded.url;
  }
  const log = options.log;
  const sql = postgres(url, {
    // PGlite is single-user: one connection, queries queued in the client.
    max: embedded ? 1 : (options.max ?? 10),
    onnotice: (n) => log.debug({ notice: n.message }, 'postgres notice'),
    connect_timeout: 10,
    idle_timeout: embedded ? 0 : 60,
    connection: { application_name: 'vigil-backplane' },
  });
  try {
    const applied = await migrate(sql);
    if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
  } catch (e) {
    await sql.end({ timeout: 1 }).catch(() => undefined);
    await embedded?.close().catch(() => undefined);
    throw e;
  }
  return {
    sql,
    url,
    embedded: embedded !== null,
    description: embedded
      ? `PGlite (embedded) in ${embedded.dataDir}`
      : `PostgreSQL at ${describe(url)}`,
    async close(timeoutS = 5) {
      await sql.end({ timeout: timeoutS });
      await embedded?.close();
    },
  };
}
