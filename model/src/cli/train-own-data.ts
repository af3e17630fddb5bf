/**
 * `npm run train -- --in FILE --out DIR` (or `--from-db`): read the user's labelled history,
 * train on it and write DIR/model.onnx, DIR/metadata.json and DIR/report.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readLabelledHistory, type LabelledHistory } from '../own-data/labelled-history.js';
import { renderOwnReport } from '../own-data/own-report.js';
import { trainOnHistory } from '../own-data/train-own.js';
import type { OwnTrainArgs } from './train-args.js';

export const OWN_ONNX_FILE = 'model.onnx';
export const OWN_METADATA_FILE = 'metadata.json';
export const OWN_REPORT_FILE = 'report.md';

export async function trainOwnData(args: OwnTrainArgs): Promise<void> {
  const started = performance.now();
  const log = (m: string) => process.stderr.write(m + '\n');
  let history: LabelledHistory;
  let description: string;
  if (args.in !== undefined) {
    history = await readLabelledHistory(args.in);
    description = `\`${args.in}\``;
  } else {
    const { readHistoryFromDatabase } = await import('../own-data/history-from-db.js');
    const db = await readHistoryFromDatabase(log);
    history = db.history;
    description = `the stored decisions and verdicts of ${db.description}`;
  }
  if (history.sorted) log(`train: the input was not in time order; sorted it by timestamp`);
  const result = await trainOnHistory(history, {
    source: args.in !== undefined ? 'file' : 'database',
    labelDelayDays: args.labelDelayDays,
    reviewRate: args.reviewRate,
    declinePrecision: args.declinePrecision,
    ...(args.trees === undefined ? {} : { trees: args.trees }),
    seed: args.seed,
    log,
  });
  const totalSeconds = (performance.now() - started) / 1000;
  await mkdir(args.out, { recursive: true });
  await writeFile(join(args.out, OWN_ONNX_FILE), result.onnx);
  await writeFile(
    join(args.out, OWN_METADATA_FILE),
    JSON.stringify(result.metadata, null, 2) + '\n',
  );
  await writeFile(
    join(args.out, OWN_REPORT_FILE),
    renderOwnReport(result, { description, totalSeconds }),
  );
  log(
    `wrote ${OWN_ONNX_FILE}, ${OWN_METADATA_FILE} and ${OWN_REPORT_FILE} to ${args.out} in ${totalSeconds.toFixed(1)} s`,
  );
  const m = result.metadata;
  process.stdout.write(
    JSON.stringify({
      version: m.version,
      sorted: result.sorted,
      windows: {
        train: m.training.train_window,
        validation: m.training.validation_window,
        test: m.training.test_window,
      },
      thresholds: m.thresholds,
      test: m.metrics.test,
      seconds: Math.round(totalSeconds * 10) / 10,
    }) + '\n',
  );
}
