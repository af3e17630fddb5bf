/**
 * Versioned SQL migrations (backplane/migrations/NNN_name.sql), applied in order at start, each
 * once, recorded in schema_migrations with a checksum. One transaction under an advisory lock, so
 * several backplanes starting together apply them once and the schema is never half-applied.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from 'postgres';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));
const FILE = /^(\d{3})_[a-z0-9_]+\.sql$/;

export interface Migration {
  readonly version: string;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

/** A recorded migration's file changed after it was applied: the schema and the repo disagree. */
export class MigrationError extends Error {
  readonly code = 'MIGRATION_MISMATCH';
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** The migration files of `dir`, in order. */
export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => FILE.test(f))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name), 'utf8');
      return {
        version: FILE.exec(name)![1]!,
        name,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

/** Apply the pending migrations; returns the names applied now (empty when up to date). */
export async function migrate(
  sql: Sql,
  migrations: readonly Migration[] = readMigrations(),
): Promise<string[]> {
  return sql.begin(async (tx) => {
    // Held until commit: a second backplane waits here, then finds everything applied.
    await tx`SELECT pg_advisory_xact_lock(hashtext('vigil.schema_migrations'))`;
    await tx`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    text PRIMARY KEY,
        name       text NOT NULL,
        checksum   text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`;
    const rows = await tx<{ version: string; name: string; checksum: string }[]>`
      SELECT version, name, checksum FROM schema_migrations`;
    const done = new Map(rows.map((r) => [r.version, r]));
    const applied: string[] = [];
    for (const m of migrations) {
      const had = done.get(m.version);
      if (had) {
        if (had.checksum !== m.checksum) {
          throw new MigrationError(
            `migration ${m.name} changed after it was applied (as ${had.name}); add a new migration instead`,
          );
        }
        continue;
      }
      // Simple protocol: a file holds several statements.
      await tx.unsafe(m.sql).simple();
      await tx`
        INSERT INTO schema_migrations (version, name, checksum)
        VALUES (${m.version}, ${m.name}, ${m.checksum})`;
      applied.push(m.name);
    }
    return applied;
  });
}
