/** Server scripts in their own Node processes (their own cores), as the benchmarks start them. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';

const ROOT = new URL('..', import.meta.url).pathname;

export interface Child {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** A port free right now on loopback. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface ScriptOptions {
  /** Added to this process's environment. */
  readonly env?: Record<string, string>;
  /** The variable that tells the script its port (a free one). */
  readonly portVariable: string;
  /** Answers 2xx once the script serves (to a GET, or to `healthInit`). */
  readonly healthPath: string;
  readonly healthInit?: RequestInit;
  readonly timeoutSeconds: number;
  /** Node's own flags, before `--import tsx`. */
  readonly nodeArgs?: readonly string[];
}

/** `node --import tsx SCRIPT` from the repository root, once its health route answers. */
export async function startScript(script: string, options: ScriptOptions): Promise<Child> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), '--import', 'tsx', script],
    {
      cwd: ROOT,
      env: { ...process.env, ...options.env, [options.portVariable]: String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}${options.healthPath}`, options.healthInit)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`${script} did not start within ${options.timeoutSeconds} s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
