/**
 * One process per directory: a `lock` file holding the owner's pid. Created whole or not at all —
 * written under a name of our own, then hard-linked to `lock`, which fails if it exists — so a
 * reader never sees a half-written pid. A lock whose process is gone (a crash, a kill -9) is taken
 * over. A pid equal to ours is ours only if this process took it: in a container the edge often
 * gets the same pid on every start, and must not mistake its predecessor's lock for its own.
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Another live process (or this one, elsewhere) holds the directory. */
export class DirLockedError extends Error {
  readonly code = 'DIR_LOCKED';
  constructor(
    /** The variable that names the directory, for the message. */
    variable: string,
    readonly dir: string,
    readonly pid: number,
    /** The variable's value when the lock is on a directory inside it (e.g. its pgdata). */
    value: string = dir,
  ) {
    super(
      `${variable}=${value}${value === dir ? '' : ` (its ${dir})`} is in use by process ${pid}${pid === process.pid ? ' (this one)' : ''}: ` +
        `two processes cannot share it; stop that one, or give this one its own ${variable}`,
    );
    this.name = 'DirLockedError';
  }
}

export interface DirLock {
  readonly file: string;
  /** Let go (only if the lock is still ours). */
  release(): Promise<void>;
}

/** Lock files this process holds. */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, it is someone else's.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function holder(file: string): Promise<number | null> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/**
 * Take `dir`'s lock (the directory must exist); throws DirLockedError naming `variable` as set
 * (`value`, when `dir` is a directory inside it).
 */
export async function takeDirLock(
  dir: string,
  variable: string,
  value: string = dir,
): Promise<DirLock> {
  const file = join(dir, 'lock');
  const mine = join(dir, `lock.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(mine, `${process.pid}\n`);
  try {
    // Twice at most: once, and once more after taking a dead process's lock away.
    for (let attempt = 0; ; attempt++) {
      try {
        await link(mine, file);
        held.add(file);
        return { file, release: () => release(file) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const pid = await holder(file);
      const live = pid !== null && (pid === process.pid ? held.has(file) : alive(pid));
      if (live || attempt > 0) throw new DirLockedError(variable, dir, pid ?? 0, value);
      await rm(file, { force: true });
    }
  } finally {
    await rm(mine, { force: true });
  }
}

async function release(file: string): Promise<void> {
  if (!held.delete(file)) return;
  if ((await holder(file)) === process.pid) await rm(file, { force: true });
}
