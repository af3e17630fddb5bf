/**
 * `npm start` refusing to start: one line on stderr naming the variable to change, exit code 1, no
 * stack trace — and nothing started first (each case answers in the seconds tsx takes to load).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './system.js';

let held: Server;
let heldPort: number;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-start-'));
  held = createServer();
  await new Promise<void>((ok) => held.listen(0, '127.0.0.1', ok));
  heldPort = (held.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((ok) => held.close(() => ok()));
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs scripts/start.ts as `npm start` does, in an environment of only `env`. */
function start(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/start.ts', ...args],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', VIGIL_DATA_DIR: dataDir, ...env },
        // Should it start after all, SIGTERM is its own clean stop.
        timeout: 45_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

describe('npm start refuses to start in one line', () => {
  it.each([[[]], [['--edge=node']]])('when PORT is taken (args %j)', async (args) => {
    const r = await start(args, { PORT: String(heldPort) });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `vigil: cannot start: PORT ${heldPort} is already in use (127.0.0.1:${heldPort}): stop ` +
        'what listens there, or set PORT to a free port (PORT=0 picks one)\n',
    );
  });

  it('when VIGIL_LOG_LEVEL is not a level, naming it and the levels', async () => {
    const r = await start([], { VIGIL_LOG_LEVEL: 'loud' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'vigil: cannot start: VIGIL_LOG_LEVEL must be one of fatal, error, warn, info, debug, ' +
        "trace, silent; got 'loud'\n",
    );
  });

  it('when given --port, which it does not take, saying PORT does', async () => {
    const r = await start(['--port', '8790'], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'vigil: cannot start: the port is set by PORT, not --port: PORT=8790 npm start\n',
    );
  });
});
