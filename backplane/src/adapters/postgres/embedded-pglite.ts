/**
 * Embedded Postgres for local runs without DATABASE_URL: PGlite (Postgres compiled to WASM) with its
 * data in a directory, served over the wire protocol by @electric-sql/pglite-socket on an ephemeral
 * 127.0.0.1 port, so the backplane talks to it with the same postgres.js code as to a real server.
 * PGlite is single-user: one process per data directory (node-runtime's directory lock guards it), and clients
 * should use one connection (the socket server queues queries anyway).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { takeDirLock, type DirLock } from '@vigil/node-runtime';

export interface EmbeddedPostgres {
  /** postgres://…@127.0.0.1:PORT/postgres */
  readonly url: string;
  /** Where the data lives ('memory' for an in-memory database). */
  readonly dataDir: string;
  close(): Promise<void>;
}

/**
 * Start PGlite on `dataDir` (created if missing; 'memory' for a throwaway in-memory database) and
 * serve it on 127.0.0.1 at an ephemeral port.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const inMemory = dataDir === 'memory';
  let dirLock: DirLock | undefined;
  if (!inMemory) {
    mkdirSync(dataDir, { recursive: true });
    // The database lives in VIGIL_DATA_DIR's pgdata: the refusal names the variable as it was set.
    dirLock = await takeDirLock(dataDir, 'VIGIL_DATA_DIR', dirname(dataDir));
  }
  const unlock = () => dirLock?.release();
  let db: PGlite | undefined;
  try {
    db = await PGlite.create(inMemory ? undefined : dataDir);
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
    await server.start();
    const pglite = db;
    return {
      url: `postgres://postgres@${server.getServerConn()}/postgres`,
      dataDir,
      async close() {
        await server.stop();
        await pglite.close();
        await unlock();
      },
    };
  } catch (e) {
    await db?.close().catch(() => undefined);
    await unlock();
    throw e;
  }
}
