/**
 * How the Node edge's durable stores (features: lmdb-feature-store.ts; events:
 * lmdb-outbox-store.ts) open their directory: created if missing, taken for this process alone
 * (@vigil/node-runtime's dir-lock.ts), an LMDB environment in `dir/lmdb`, and a first write at once — a directory that
 * cannot be written fails start-up, not the first request, and LMDB's writer is running before it
 * is needed. What fails, other than another process holding the lock, comes back through `fail`,
 * whose message names the directory's variable; nothing is left open or locked then.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { DirLockedError, takeDirLock, type DirLock } from '@vigil/node-runtime';

export async function openLockedLmdb<T>(
  dir: string,
  variable: string,
  maxDbs: number,
  fail: (cause: unknown) => Error,
  build: (root: RootDatabase, lock: DirLock, where: string) => T | Promise<T>,
): Promise<T> {
  let lock: DirLock;
  try {
    await mkdir(dir, { recursive: true });
    lock = await takeDirLock(dir, variable);
  } catch (e) {
    throw e instanceof DirLockedError ? e : fail(e);
  }
  const where = join(dir, 'lmdb');
  let root: RootDatabase | undefined;
  try {
    root = open({ path: where, compression: false, maxDbs: maxDbs + 1 });
    await root.openDB<number, string>({ name: 'meta', encoding: 'msgpack' }).put('layout', 1);
    return await build(root, lock, where);
  } catch (e) {
    await root?.close().catch(() => undefined);
    await lock.release();
    throw fail(e);
  }
}
