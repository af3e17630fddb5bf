/**
 * npm run train -- --in FILE --out DIR | --from-db --out DIR — a model on the user's own labelled
 * history (see train-own-data.ts and TRAIN_USAGE).
 *
 * npm run train [-- --seeds 0,1,2] [--ceiling-seeds 3,4,5] — simulate → features through core → train → export ONNX →
 * evaluate → edge/model/ (the served model) and model/REPORT.md. The first seed's model is the one committed;
 * the others retrain on their own data to show how the numbers vary. The ceiling seeds are only
 * simulated: their test weeks' CP@100 ceilings show how often a week can reach the bar at all.
 */
import { writeFile } from 'node:fs/promises';
import { FEATURE_NAMES, predictProbability } from '@vigil/core';
import { handbookTestSet } from '../evaluate/handbook-protocol.js';
import { exportOnnx } from '../onnx/export-onnx.js';
import { createOrtScorer } from '../onnx/ort-session.js';
import { ARTIFACTS_DIR, modelVersion, writeArtifacts } from '../pipeline/artifacts.js';
import { gatherRows } from '../pipeline/windows.js';
import {
  ceilings,
  handbookMetrics,
  runPipeline,
  type PipelineResult,
} from '../pipeline/train-pipeline.js';
import { renderReport, seedRun, type CeilingRun, type SeedRun } from '../report/report.js';
import { simulate, summarize } from '@vigil/sim';
import { TrainingDataError } from '../own-data/training-data-error.js';
import { parseTrainArgs, TRAIN_USAGE } from './train-args.js';
import { trainOwnData } from './train-own-data.js';

const REPORT = new URL('../../REPORT.md', import.meta.url).pathname;

function parseSeeds(s: string, flag: string, allowEmpty = false): number[] {
  if (allowEmpty && s.trim() === '') return [];
  const seeds = s.split(',').map((x) => (x.trim() === '' ? NaN : Number(x.trim())));
  if (seeds.length === 0 || seeds.some((x) => !Number.isSafeInteger(x) || x < 0)) {
    throw new Error(`${flag} must be comma-separated non-negative integers, got "${s}"`);
  }
  return seeds;
}

async function main(): Promise<number> {
  const parsed = parseTrainArgs(process.argv.slice(2));
  if (parsed.kind === 'help') {
    process.stdout.write(`${TRAIN_USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'invalid') {
    process.stderr.write(`train: ${parsed.message}\n\n${TRAIN_USAGE}\n`);
    return 2;
  }
  if (parsed.kind === 'own') {
    await trainOwnData(parsed.args);
    return 0;
  }
  const values = {
    out: parsed.out ?? ARTIFACTS_DIR,
    report: parsed.report ?? REPORT,
  };
  const seeds = parseSeeds(parsed.seeds, '--seeds');
  const ceilingSeeds = parseSeeds(parsed.ceilingSeeds, '--ceiling-seeds', true);
  const started = performance.now();
  const log = (m: string) => process.stderr.write(m + '\n');

  // Only the committed model's run is kept whole; the others' data are large and done with.
  let p: PipelineResult | undefined;
  const runs: SeedRun[] = [];
  for (const seed of seeds) {
    log(`== seed ${seed}`);
    const result = runPipeline({ seed, log });
    runs.push(seedRun(seed, summarize(result.dataset), result));
    p ??= result;
    log(
      `   test week: AUC ${result.test.auc.toFixed(3)}, AP ${result.test.ap.toFixed(3)}, CP@100 ${result.test.cp100.toFixed(3)}`,
    );
  }
  const ceilingRuns: CeilingRun[] = ceilingSeeds.map((seed) => {
    log(`== seed ${seed} (ceilings only)`);
    return { seed, ...ceilings(simulate({ seed })) };
  });
  const primary = runs[0]!;
  if (!p) throw new Error('no seed ran');
  const version = modelVersion(p.ensemble);
  const onnx = exportOnnx(p.ensemble, { featureNames: FEATURE_NAMES, version });

  // The served model scores the test week too: its numbers are the ones the report leads with.
  const test = handbookTestSet(p.dataset, p.windows.handbookTrainStart);
  const Xt = gatherRows(p.features, FEATURE_NAMES.length, test.rows);
  const scorer = await createOrtScorer(onnx);
  const ortScores = await scorer.score(Xt);
  await scorer.release();
  let maxDiff = 0;
  for (let k = 0; k < test.rows.length; k++) {
    const d = Math.abs(
      ortScores[k]! - predictProbability(p.ensemble, Xt, k * FEATURE_NAMES.length),
    );
    if (d > maxDiff) maxDiff = d;
  }
  const onnxTest = handbookMetrics(p.dataset, test, ortScores);

  await writeArtifacts(values.out, {
    onnx,
    ensemble: p.ensemble,
    metadata: {
      version,
      feature_names: [...FEATURE_NAMES],
      thresholds: p.thresholds,
      training: {
        seed: primary.seed,
        train_window: p.windows.train,
        validation_window: p.windows.validation,
        rows: p.trainRows,
        frauds: p.trainFrauds,
        trees: p.gbdt.bestIteration + 1,
        params: { ...p.params },
      },
      metrics: { validation: p.validation, test: onnxTest },
    },
  });
  const totalSeconds = (performance.now() - started) / 1000;
  await writeFile(
    values.report,
    renderReport({
      version,
      primary,
      result: p,
      onnxTest,
      onnxMaxDiff: maxDiff,
      others: runs.slice(1),
      ceilingRuns,
      totalSeconds,
    }),
  );
  log(`wrote ${values.out} and ${values.report} in ${totalSeconds.toFixed(0)} s`);
  process.stdout.write(
    JSON.stringify({ version, test: onnxTest, thresholds: p.thresholds, seconds: totalSeconds }) +
      '\n',
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`train: ${e instanceof Error ? e.message : String(e)}\n`);
    // Refused input (a bad line, too little data, no frauds) is the caller's: exit 2, like bad flags.
    process.exitCode = e instanceof TrainingDataError ? 2 : 1;
  },
);
