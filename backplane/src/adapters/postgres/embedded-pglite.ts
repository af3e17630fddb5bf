/**
 * Embedded Postgres for local runs without DATABASE_URL: PGlite (Postgres compiled to WASM) with its
 * data in a directory, served over the wire protocol by @electric-sql/pglite-socket on an ephemeral
 * 127.0.0.1 port, so the backplane talks to it with the same postgres.js code as to a real server.
 * PGlite is single-user: one process per data directory (a pid lock file guards it), and clients
 * should use one connection (the socket server queues queries anyway).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** postgres://…@127.0.0.1:PORT/postgres */
  readonly url: string;
  /** Where the data lives ('memory' for an in-memory database). */
  readonly dataDir: string;
  close(): Promise<void>;
}

/** Another live process holds the data directory. */
export class DataDirLockedError extends Error {
  readonly code = 'DATA_DIR_LOCKED';
  constructor(dir: string, pid: number) {
    super(
      `${dir} is in use by process ${pid} (PGlite serves one process); stop it or set VIGIL_DATA_DIR`,
    );
    this.name = 'DataDirLockedError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take `dir`'s lock file, or fail if a live process has it (a dead one's is taken over). */
function lock(dir: string): () => void {
  const file = join(dir, 'vigil.pid');
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new DataDirLockedError(dir, pid);
    }
    writeFileSync(file, String(process.pid));
  }
  return () => rmSync(file, { force: true });
}

/**
 * Start PGlite on `dataDir` (created if missing; 'memory' for a throwaway in-memory database) and
 * serve it on 127.0.0.1 at an ephemeral port.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const inMemory = dataDir === 'memory';
  let unlock = () => undefined as void;
  if (!inMemory) {
    mkdirSync(dataDir, { recursive: true });
    unlock = lock(dataDir);
  }
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
        unlock();
      },
    };
  } catch (e) {
    await db?.close().catch(() => undefined);
    unlock();
    throw e;
  }
}
