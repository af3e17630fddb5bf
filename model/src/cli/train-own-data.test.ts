/**
 * Issue 18's acceptance for `npm run train -- --in FILE`: a history the project has never seen
 * (another simulator seed, another start date, fewer customers) goes in through the CLI; the model
 * that comes out loads in onnxruntime-web, scores the test window as its metadata and report say,
 * and unusable input is refused with exit code 2 and a message naming the problem.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  ensembleFromOnnx,
  N_FEATURES,
  parseModelMetadata,
  parseTrainedModelMetadata,
  predictProbability,
  type TrainedModelMetadata,
} from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { averagePrecision, rocAuc } from '../gbdt/index.js';
import { createOrtScorer } from '../onnx/ort-session.js';
import { readLabelledHistory } from '../own-data/labelled-history.js';
import { replayFeatures } from '../pipeline/replay-features.js';
import { gatherRows, rowsIn } from '../pipeline/windows.js';

const exec = promisify(execFile);
const ROOT = new URL('../../../', import.meta.url).pathname;
const SIMULATE = join(ROOT, 'sim/src/cli/simulate.ts');
const TRAIN = join(ROOT, 'model/src/cli/train.ts');

/** Run a CLI with tsx; resolves with its exit code and output whatever the code. */
async function cli(script: string, args: string[]) {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      maxBuffer: 1 << 24,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** Few trees keep the test fast; the trainer and everything around it are the real ones. */
const train = (input: string, out: string, ...more: string[]) =>
  cli(TRAIN, ['--in', input, '--out', out, '--trees', '40', ...more]);

describe('npm run train -- --in FILE on a history the project has never seen', () => {
  let dir = '';
  let file = '';
  let lines: string[] = [];
  let metadata: TrainedModelMetadata;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-train-'));
    file = join(dir, 'history.ndjson');
    const sim = await cli(SIMULATE, [
      ...['--out', file, '--seed', '4242', '--start', '2022-09-01'],
      ...['--days', '90', '--customers', '600', '--terminals', '1200'],
    ]);
    expect(sim.code).toBe(0);
    lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
  }, 60_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes a model that loads and scores the test window as its metadata and report say', async () => {
    const out = join(dir, 'model');
    const r = await train(file, out);
    expect(r.stderr).not.toMatch(/sorted/);
    expect(r.code).toBe(0);
    metadata = parseTrainedModelMetadata(
      JSON.parse(await readFile(join(out, 'metadata.json'), 'utf8')),
    );
    // Windows from the data's own span (90 days from 2022-09-01), not the handbook's dates.
    expect(metadata.training.train_window.start).toBe('2022-09-01');
    expect(metadata.training.test_window.end).toBe('2022-11-29');
    expect(metadata.training.source).toBe('file');
    expect(metadata.version).toMatch(/^train-20221129-[0-9a-f]{8}$/);
    expect(metadata.training.trees).toBeLessThanOrEqual(40);
    expect(JSON.parse(r.stdout)).toMatchObject({ version: metadata.version });

    // Load the ONNX the way the edge does and score the test window of the same file.
    const history = await readLabelledHistory(file);
    const X = replayFeatures(history, { labelDelayDays: metadata.training.label_delay_days });
    const rows = rowsIn(history.timeSec, metadata.training.test_window);
    expect(rows.length).toBe(metadata.metrics.test.transactions);
    const scorer = await createOrtScorer(new Uint8Array(await readFile(join(out, 'model.onnx'))));
    const testRows = gatherRows(X, N_FEATURES, rows);
    const scores = await scorer.score(testRows);
    await scorer.release();
    // As an edge loads a registry model: the metadata through its strict reader, the trees read
    // out of the ONNX for reasons and the fallback walk, giving ORT's probabilities.
    expect(parseModelMetadata(metadata).version).toBe(metadata.version);
    const trees = ensembleFromOnnx(
      new Uint8Array(await readFile(join(out, 'model.onnx'))),
      N_FEATURES,
    );
    let worst = 0;
    for (let i = 0; i < rows.length; i++) {
      const p = predictProbability(trees, testRows, i * N_FEATURES);
      worst = Math.max(worst, Math.abs(p - scores[i]!));
    }
    expect(worst).toBeLessThan(1e-5);
    const y = Uint8Array.from(rows, (i) => history.isFraud[i]!);
    const auc = rocAuc(y, scores);
    expect(auc).toBeCloseTo(metadata.metrics.test.auc, 9);
    expect(averagePrecision(y, scores)).toBeCloseTo(metadata.metrics.test.ap, 9);
    // A model that learned something: well above chance on data it never saw.
    expect(auc).toBeGreaterThan(0.8);
    let alerts = 0;
    for (const s of scores) if (s >= metadata.thresholds.review) alerts++;
    expect(alerts / rows.length).toBeCloseTo(metadata.metrics.test.alert_rate, 9);
    let declines = 0;
    for (const s of scores) if (s >= metadata.thresholds.decline) declines++;
    expect((alerts - declines) / rows.length).toBeCloseTo(metadata.metrics.test.review_rate, 9);
    // The review band is budgeted on validation: the test window's stays near the budget.
    expect(metadata.metrics.test.review_rate).toBeGreaterThan(0);
    expect(metadata.metrics.test.review_rate).toBeLessThan(
      5 * metadata.training.policy.review_rate,
    );

    const report = await readFile(join(out, 'report.md'), 'utf8');
    expect(report).toContain(`# Model ${metadata.version}`);
    expect(report).toContain(
      `| ROC AUC | ${metadata.metrics.validation.auc.toFixed(3)} | ${auc.toFixed(3)} |`,
    );
    expect(report).toContain(`| average precision |`);
    expect(report).toContain('card precision@100');
  });

  it('sorts a file that is not in time order, says so, and trains the same model', async () => {
    expect(metadata).toBeDefined();
    // Swap neighbouring blocks of about 1,000 lines, cut only between different times: out of
    // order, yet a stable sort gives back the file's own order, ties included.
    const time = (l: string) => (JSON.parse(l) as { timestamp: string }).timestamp;
    const blocks: string[][] = [];
    for (let from = 0; from < lines.length;) {
      let to = Math.min(lines.length, from + 1000);
      while (to < lines.length && time(lines[to]!) === time(lines[to - 1]!)) to++;
      blocks.push(lines.slice(from, to));
      from = to;
    }
    const shuffled: string[] = [];
    for (let b = 0; b < blocks.length; b += 2)
      shuffled.push(...(blocks[b + 1] ?? []), ...blocks[b]!);
    const input = join(dir, 'unsorted.ndjson');
    await writeFile(input, shuffled.join('\n') + '\n');
    const out = join(dir, 'unsorted-model');
    const r = await train(input, out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/not in time order; sorted it by timestamp/);
    const again = parseTrainedModelMetadata(
      JSON.parse(await readFile(join(out, 'metadata.json'), 'utf8')),
    );
    // The sort is stable: the replay, the training sample and so the model are the sorted file's.
    expect(again.version).toBe(metadata.version);
    expect(await readFile(join(out, 'report.md'), 'utf8')).toMatch(/was sorted by `timestamp`/);
  });

  it('refuses too little data, saying the minimum', async () => {
    const input = join(dir, 'small.ndjson');
    await writeFile(input, lines.slice(0, 500).join('\n') + '\n');
    const r = await train(input, join(dir, 'small-model'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/too little data: 500 transactions; train needs at least 1,000/);
  });

  it('refuses data without frauds', async () => {
    const input = join(dir, 'no-frauds.ndjson');
    await writeFile(input, lines.map((l) => l.replace('"is_fraud":1', '"is_fraud":0')).join('\n'));
    const r = await train(input, join(dir, 'no-frauds-model'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no frauds: is_fraud is 0 on all/);
  });

  it('refuses a window without enough frauds, naming it', async () => {
    const input = join(dir, 'early-frauds.ndjson');
    const cut = Math.floor(lines.length * 0.7);
    const late = lines.map((l, i) => (i < cut ? l : l.replace('"is_fraud":1', '"is_fraud":0')));
    await writeFile(input, late.join('\n'));
    const r = await train(input, join(dir, 'early-frauds-model'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/too few frauds: 0 in the test window \(2022-11-\d\d … 2022-11-29\)/);
  });

  it('refuses a bad line, naming the line and the field', async () => {
    const input = join(dir, 'bad.ndjson');
    const bad = [
      ...lines.slice(0, 2),
      lines[2]!.replace(/"amount":[^,]+/, '"amount":-5'),
      ...lines.slice(3),
    ];
    await writeFile(input, bad.join('\n'));
    const r = await train(input, join(dir, 'bad-model'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${input}:3: /amount: amount must be ≥ 0`);
    const missing = await train(join(dir, 'absent.ndjson'), join(dir, 'x'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read/);
  });

  it('refuses bad flags with the usage', async () => {
    const r = await cli(TRAIN, ['--in', file, '--out', join(dir, 'y'), '--review-rate', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--review-rate must be a share in \(0, 1\]/);
    expect(r.stderr).toMatch(/Usage: npm run train/);
  });
});
