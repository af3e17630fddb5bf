import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirLockedError, takeDirLock } from './dir-lock.js';
import { deadPid } from './test-dead-pid.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('takeDirLock', () => {
  it('writes our pid, refuses a second taker naming the variable, and lets go', async () => {
    const lock = await takeDirLock(dir, 'VIGIL_OUTBOX_DIR');
    expect(await readFile(join(dir, 'lock'), 'utf8')).toBe(`${process.pid}\n`);
    const second = takeDirLock(dir, 'VIGIL_OUTBOX_DIR');
    await expect(second).rejects.toThrow(DirLockedError);
    await expect(second).rejects.toThrow(
      `VIGIL_OUTBOX_DIR=${dir} is in use by process ${process.pid}`,
    );
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
    const again = await takeDirLock(dir, 'VIGIL_OUTBOX_DIR');
    await again.release();
  });

  it('names the variable as it was set when the lock is on a directory inside it', async () => {
    const lock = await takeDirLock(dir, 'VIGIL_DATA_DIR', '/srv/vigil');
    await expect(takeDirLock(dir, 'VIGIL_DATA_DIR', '/srv/vigil')).rejects.toThrow(
      `VIGIL_DATA_DIR=/srv/vigil (its ${dir}) is in use by process ${process.pid}`,
    );
    await lock.release();
  });

  it('refuses a lock held by another live process', async () => {
    await writeFile(join(dir, 'lock'), `${process.ppid}\n`);
    const error = await takeDirLock(dir, 'VIGIL_OUTBOX_DIR').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DirLockedError);
    expect((error as DirLockedError).pid).toBe(process.ppid);
    expect((error as Error).message).toMatch(/give this one its own VIGIL_OUTBOX_DIR/);
    expect(await readFile(join(dir, 'lock'), 'utf8')).toBe(`${process.ppid}\n`);
  });

  it('takes over the lock of a process that is gone', async () => {
    await writeFile(join(dir, 'lock'), `${await deadPid()}\n`);
    const lock = await takeDirLock(dir, 'VIGIL_OUTBOX_DIR');
    expect(await readFile(join(dir, 'lock'), 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
  });

  it('takes over a lock with our pid that this process does not hold (a restart, same pid)', async () => {
    await writeFile(join(dir, 'lock'), `${process.pid}\n`);
    const lock = await takeDirLock(dir, 'VIGIL_OUTBOX_DIR');
    await expect(takeDirLock(dir, 'VIGIL_OUTBOX_DIR')).rejects.toThrow(DirLockedError);
    await lock.release();
  });

  it('takes over a lock file without a pid in it', async () => {
    await writeFile(join(dir, 'lock'), 'garbage');
    const lock = await takeDirLock(dir, 'VIGIL_OUTBOX_DIR');
    expect(await readFile(join(dir, 'lock'), 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
  });
});
