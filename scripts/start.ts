/**
 * `npm start` (edge in workerd) and `npm run start:node` (`--edge=node`): Vigil on one machine with
 * embedded defaults, no Docker, no external server — see scripts/system.ts for what runs where.
 * Prints the dashboard's one-time sign-in URL and the API key; Ctrl-C stops everything.
 */
import { stopOnSignals } from '@vigil/node-runtime';
import { startSystem } from './system.js';

/**
 * The one option, `--edge=node` (what `npm run start:node` passes); everything else is configured
 * by the environment, and an argument we do not take is refused rather than ignored.
 */
function edgeOf(args: readonly string[]): 'workerd' | 'node' {
  let edge: 'workerd' | 'node' = 'workerd';
  const command = args.includes('--edge=node') ? 'npm run start:node' : 'npm start';
  for (const [i, arg] of args.entries()) {
    if (arg === '--edge=node' || arg === '--edge=workerd') {
      edge = arg === '--edge=node' ? 'node' : 'workerd';
    } else if (/^(--port|-p)(=|$)/.test(arg)) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (args[i + 1] ?? 'N');
      throw new Error(
        `the port is set by PORT, not ${arg.split('=')[0]}: PORT=${value} ${command}`,
      );
    } else {
      throw new Error(
        `unknown argument '${arg}': the only option is --edge=node; the rest is set by ` +
          'environment variables (.env.example lists them)',
      );
    }
  }
  return edge;
}

async function main(): Promise<void> {
  const edge = edgeOf(process.argv.slice(2));
  const started = performance.now();
  const system = await startSystem({
    edge,
    env: process.env,
    progress: (line) => process.stdout.write(`vigil: ${line}\n`),
  });
  const { origin } = system;
  const key = system.apiKeyGenerated ? system.apiKey : '<one of VIGIL_API_KEYS>';
  // The banner's example is a payment of now, under an id of this start (an id of its own, as the
  // time differs): a time of years ago falls out of the feature store's 45-day event-time window
  // as soon as the traffic panel's live payments run, and the example would then score afresh.
  const now = new Date();
  const demo = {
    id: `tx_demo_${now.toISOString().slice(0, 19).replace(/[-:T]/g, '')}`,
    timestamp: `${now.toISOString().slice(0, 19)}Z`,
  };
  process.stdout.write(
    [
      '',
      `Vigil is running at ${origin}/ (ready in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
      '',
      '  Dashboard — open this one-time sign-in URL in your browser:',
      '',
      `      ${system.signInUrl}`,
      '',
      ...system.description.map((l) => `  ${l}`),
      `  API key    ${system.apiKeyGenerated ? key : '(from VIGIL_API_KEYS)'}`,
      `  API docs   ${origin}/docs · ${origin}/openapi.json · analysts' API under ${origin}/api`,
      '',
      `  curl -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' \\`,
      `    -d '{"transaction_id":"${demo.id}","timestamp":"${demo.timestamp}","customer_id":"c_demo","terminal_id":"t_demo","amount":57.16}' \\`,
      `    ${origin}/v1/score`,
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  // Miniflare registers its own SIGINT/SIGTERM hook at start-up that exits the process at once
  // (after killing workerd), before our close could stop traffic, flush the edge's outbox and
  // close the backplane and PGlite. Ours replaces it; close() disposes workerd itself, and
  // Miniflare's 'exit' hook still kills workerd if we die some other way.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.removeAllListeners(signal);
  stopOnSignals(
    async () => {
      await system.close();
      process.stdout.write('vigil: stopped\n');
    },
    {
      stopping: () => process.stdout.write('vigil: stopping…\n'),
      again: () => {},
      failed: () => {},
    },
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`vigil: cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
