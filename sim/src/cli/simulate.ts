/**
 * `npm run simulate -- --out FILE [--customers N] [--terminals N] [--days N] [--start YYYY-MM-DD]
 * [--seed N] [--radius R]`: simulate the handbook's dataset, write it as NDJSON and print its
 * summary (without the per-day series) as JSON on stdout. Bad arguments exit with code 2.
 */
import { summarize, type DatasetSummary } from '../dataset.js';
import { simulate } from '../generate.js';
import { writeNdjsonDataset } from '../ndjson.js';
import { parseSimulateArgs, SIMULATE_USAGE } from '../simulate-args.js';

async function main(argv: readonly string[]): Promise<number> {
  const args = parseSimulateArgs(argv);
  if (args.kind === 'help') {
    process.stdout.write(`${SIMULATE_USAGE}\n`);
    return 0;
  }
  if (args.kind === 'invalid') {
    process.stderr.write(`simulate: ${args.message}\n\n${SIMULATE_USAGE}\n`);
    return 2;
  }
  const started = performance.now();
  const ds = simulate(args.options);
  const simulated = performance.now();
  await writeNdjsonDataset(ds, args.out);
  const written = performance.now();
  // The per-day series is for programs; the CLI prints the headline numbers.
  const summary: Omit<DatasetSummary, 'per_day'> & { per_day?: unknown } = summarize(ds);
  delete summary.per_day;
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  process.stderr.write(
    `simulate: generated ${ds.length} transactions in ${((simulated - started) / 1000).toFixed(1)} s, ` +
      `wrote ${args.out} in ${((written - simulated) / 1000).toFixed(1)} s\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `simulate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
