/**
 * Runs one of the scripts/services/*.sh scripts without blocking the event loop, for the vitest
 * globalSetups (serviceGlobalSetup) and the fault-drill helpers beside it.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

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

/** What one service's globalSetup needs to know; see serviceGlobalSetup. */
export interface ServiceSetupOptions {
  /** Who needs it, for the error message: "The backplane tests". */
  readonly who: string;
  /** The environment variable that overrides the port. */
  readonly portVariable: string;
  readonly defaultPort: number;
}

/**
 * A vitest globalSetup for one service script (redis.sh, postgres.sh, kafka.sh): installs the
 * service when missing, starts it on the project's own port (so projects never race each other
 * over start and stop), hands the port to `provide`, and stops it afterwards if it started it. If
 * the service cannot be had, the run fails saying why: it never skips.
 */
export function serviceGlobalSetup(
  service: { readonly script: string; readonly name: string; readonly install: string },
  o: ServiceSetupOptions,
  provide: (project: TestProject, port: number) => void,
): (project: TestProject) => Promise<() => Promise<void>> {
  const sh = `bash scripts/services/${service.script}`;
  return async (project) => {
    const port = Number(process.env[o.portVariable] ?? o.defaultPort);
    const install = await runServiceScript(service.script, ['install']);
    if (!install.ok) {
      throw new Error(
        `${o.who} need a real ${service.name}, and \`${sh} install\` (${service.install}) ` +
          `failed:\n${install.output}`,
      );
    }
    const wasRunning = (await runServiceScript(service.script, ['status', String(port)])).ok;
    const start = await runServiceScript(service.script, ['start', String(port)]);
    if (!start.ok) {
      throw new Error(
        `${o.who} need a real ${service.name} on 127.0.0.1:${port}, and ` +
          `\`${sh} start ${port}\` failed:\n${start.output}\nSet ${o.portVariable} to use another port.`,
      );
    }
    provide(project, port);
    return async () => {
      if (!wasRunning) await runServiceScript(service.script, ['stop', String(port)]);
    };
  };
}
