/**
 * For tests of what survives a kill -9: run `script` (a TypeScript file beside this one) with
 * `args` in a child process, wait for the first line it prints (the point where the edge would
 * have answered), then SIGKILL it. Resolves with that line once the child is gone.
 */
import { spawn } from 'node:child_process';

export async function killAfterFirstLine(script: string, args: readonly string[]): Promise<string> {
  // `node --import tsx`, not tsx's CLI: that runs the script in a grandchild the kill would miss.
  const path = new URL(script, import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve();
    });
    child.once('exit', () => reject(new Error(`the child exited first: ${out}`)));
  });
  child.kill('SIGKILL');
  await exited;
  return out;
}

/** Run `script` to its end and return its stdout; fails if it is still running after `timeoutMs`. */
export async function runChild(
  script: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<string> {
  const path = new URL(script, import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise((resolve) =>
    child.once('exit', (c, signal) => resolve(c ?? signal)),
  );
  clearTimeout(timer);
  if (code !== 0)
    throw new Error(`${script} ended with ${String(code)} (killed after ${timeoutMs} ms?): ${out}`);
  return out;
}
