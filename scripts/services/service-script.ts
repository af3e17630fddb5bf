/**
 * Runs one of the scripts/services/*.sh scripts without blocking the event loop, for the vitest
 * globalSetups and the fault-drill helpers beside it.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ScriptRun {
  readonly ok: boolean;
  /** stdout and stderr together, trimmed, plus why it failed when it did not run to the end. */
  readonly output: string;
}

/** Runs `bash scripts/services/SCRIPT ARGS...`; never rejects. */
export function runServiceScript(
  script: string,
  args: readonly string[],
  timeoutMs = 600_000,
): Promise<ScriptRun> {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  return new Promise((resolve) => {
    execFile(
      'bash',
      [path, ...args],
      { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        let why = '';
        if (error?.killed) why = `\n(killed after ${timeoutMs} ms)`;
        else if (error && typeof error.code !== 'number') why = `\n${error.message}`;
        resolve({ ok: !error, output: `${stdout}${stderr}${why}`.trim() });
      },
    );
  });
}

/** Like runServiceScript, but throws with the script's output when it fails. */
export async function runServiceScriptOrThrow(
  script: string,
  args: readonly string[],
  timeoutMs?: number,
): Promise<string> {
  const run = await runServiceScript(script, args, timeoutMs);
  if (!run.ok) {
    throw new Error(`\`bash scripts/services/${script} ${args.join(' ')}\` failed:\n${run.output}`);
  }
  return run.output;
}
