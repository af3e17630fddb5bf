/**
 * npm run backtest -- --in FILE --out FILE
 * Offline replay of a transaction file (NDJSON as `npm run simulate` writes it) through the same
 * feature engine, model and policy as the edge, in event-time order, each fraud's label fed back
 * 7 days after it. Writes one NDJSON line per transaction; prints AUC / AP / CP@100 when the file
 * has labels (all rows, and the handbook test week when the file covers it).
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { summarizeScores } from '../evaluate/score-summary.js';
import { createOrtScorer } from '../onnx/ort-session.js';
import { readArtifacts } from '../pipeline/artifacts.js';
import { backtest } from '../pipeline/backtest.js';
import { DEFAULT_WINDOWS } from '../pipeline/windows.js';
import { readNdjsonDataset } from '@vigil/sim';

const USAGE = 'usage: npm run backtest -- --in FILE --out FILE';

async function main(): Promise<number> {
  let values: { in?: string; out?: string };
  try {
    ({ values } = parseArgs({ options: { in: { type: 'string' }, out: { type: 'string' } } }));
  } catch (e) {
    process.stderr.write(`backtest: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (!values.in || !values.out) {
    process.stderr.write(`backtest: --in and --out are required\n${USAGE}\n`);
    return 2;
  }
  const ds = await readNdjsonDataset(values.in, { withIds: true });
  const model = await readArtifacts();
  const scorer = await createOrtScorer(model.onnx);
  const started = performance.now();
  const result = await backtest(ds, ds.transactionIds, model, (x) => scorer.score(x));
  const seconds = (performance.now() - started) / 1000;
  await scorer.release();

  await mkdir(dirname(values.out), { recursive: true });
  const out = createWriteStream(values.out);
  for (const row of result.rows) {
    if (!out.write(JSON.stringify(row) + '\n'))
      await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((e?: Error | null) => (e ? reject(e) : resolve())),
  );

  const summary: Record<string, unknown> = {
    model_version: model.metadata.version,
    transactions: ds.length,
    seconds: Math.round(seconds * 10) / 10,
  };
  // Scores come in replay order: put them back in file order for the metrics.
  const scoreOf = new Float32Array(ds.length);
  result.order.forEach((row, k) => (scoreOf[row] = result.scores[k]!));
  Object.assign(summary, summarizeScores(ds, scoreOf, DEFAULT_WINDOWS.handbookTrainStart));
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`backtest: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
