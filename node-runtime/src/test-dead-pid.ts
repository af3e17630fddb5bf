/** For tests: the pid of a process that has exited (a crashed owner's, as a lock file keeps it). */
import { spawn } from 'node:child_process';

export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid;
  await new Promise((resolve) => child.once('exit', resolve));
  if (pid === undefined) throw new Error('deadPid: the child did not start');
  return pid;
}
