/**
 * npm run bench [-- --only a,b] [-- --help] — Vigil's benchmarks, written to docs/benchmarks.md.
 * Sections: simulate, features, train (and more as the system grows). Each section measures its
 * baseline in the same run, so ratios are comparable across machines.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { simulate, writeNdjsonDataset } from '@vigil/sim';
import { benchBackplane } from './backplane.bench.js';
import { benchBacktest } from './backtest.js';
import { benchColdStart } from './cold-start.js';
import { benchModels } from './models.bench.js';
import { benchDashboard } from './dashboard.bench.js';
import { benchEdgeNode } from './edge-node.bench.js';
import { benchEdgeWorkerd } from './edge-workerd.bench.js';
import { benchFeatureEngine } from './feature-engine.bench.js';
import { benchFeatureStores } from './feature-stores.bench.js';
import { benchRules } from './rules.bench.js';
import { fmt, fmtInt, table } from './stats.js';
import { benchThresholdsPreview } from './thresholds-preview.bench.js';

const OUT = new URL('../docs/benchmarks.md', import.meta.url).pathname;
const ROOT = new URL('..', import.meta.url).pathname;

type Section = () => Promise<string> | string;

/** A table row: what ran, its time in seconds, its budget and the share of it used. */
const budgetRow = (what: string, seconds: number, budget: number, digits = 2) => [
  what,
  `${fmt(seconds, digits)} s`,
  `${budget} s`,
  `${fmt((seconds / budget) * 100, 1)} %`,
];

async function benchSimulate(): Promise<string> {
  const times: number[] = [];
  let n = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    n = simulate({ seed: r }).length;
    times.push(performance.now() - t0);
  }
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  try {
    const t0 = performance.now();
    await writeNdjsonDataset(simulate({ seed: 0 }), join(dir, 'sim.ndjson'));
    const total = performance.now() - t0;
    times.sort((a, b) => a - b);
    return [
      '## Simulator (`npm run simulate`)',
      '',
      `Default dataset (5,000 customers, 10,000 terminals, 183 days), seeds 0–2.`,
      '',
      table(
        ['step', 'time', 'budget', 'share of budget'],
        [
          budgetRow(`generate ${fmtInt(n)} transactions (median of 3)`, times[1]! / 1000, 60),
          budgetRow('generate + write NDJSON', total / 1000, 60),
        ],
      ),
      '',
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function benchTrain(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-train-'));
  try {
    const t0 = performance.now();
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'model/src/cli/train.ts'),
        '--out',
        dir,
        '--report',
        join(dir, 'REPORT.md'),
      ],
      { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 24 },
    );
    const seconds = (performance.now() - t0) / 1000;
    const summary = JSON.parse(out.trim().split('\n').at(-1)!) as {
      version: string;
      test: { auc: number; ap: number; cp100: number };
    };
    return [
      '## Training (`npm run train`)',
      '',
      "The whole command: three seeds simulated, featurised through core, trained, exported to ONNX and evaluated; the first seed's model exported and scored by onnxruntime-web.",
      '',
      table(
        ['run', 'time', 'budget', 'share of budget'],
        [budgetRow(`npm run train → ${summary.version}`, seconds, 300, 0)],
      ),
      '',
      `Test week of that run: AUC ${summary.test.auc.toFixed(3)}, AP ${summary.test.ap.toFixed(3)}, CP@100 ${summary.test.cp100.toFixed(3)} (the committed numbers are in model/REPORT.md).`,
      '',
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sections of an existing benchmarks file, keyed by the section name in their marker comment. */
function splitSections(doc: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /<!-- section:([a-z-]+) -->\n([\s\S]*?)(?=<!-- section:|$)/g;
  // Trailing blank lines trimmed: a kept section must not grow by one with every --only run.
  for (const m of doc.matchAll(re)) {
    out.set(m[1]!, `<!-- section:${m[1]!} -->\n${m[2]!.trimEnd()}\n`);
  }
  return out;
}

function marked(name: string, section: Section): Section {
  return async () => `<!-- section:${name} -->\n${(await section()).trimEnd()}\n`;
}

const SECTIONS: Record<string, Section> = Object.fromEntries(
  Object.entries({
    simulate: benchSimulate,
    features: () => benchFeatureEngine(simulate({ seed: 0 })),
    rules: benchRules,
    train: benchTrain,
    'edge-node': benchEdgeNode,
    'edge-workerd': benchEdgeWorkerd,
    'feature-stores': benchFeatureStores,
    backplane: benchBackplane,
    backtest: benchBacktest,
    dashboard: benchDashboard,
    thresholds: benchThresholdsPreview,
    'cold-start': benchColdStart,
    models: benchModels,
  }).map(([name, section]) => [name, marked(name, section)]),
);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(
      `npm run bench [-- --only SECTION,…]: measure and write ${OUT}\nsections: ${Object.keys(SECTIONS).join(', ')}\n`,
    );
    return;
  }
  const names = values.only ? values.only.split(',') : Object.keys(SECTIONS);
  for (const n of names)
    if (!SECTIONS[n])
      throw new Error(`unknown section "${n}"; known: ${Object.keys(SECTIONS).join(', ')}`);
  // Sections not rerun keep their last measured text (with --only), so the file stays whole.
  const previous = existsSync(OUT)
    ? splitSections(readFileSync(OUT, 'utf8'))
    : new Map<string, string>();
  const fresh = new Map<string, string>();
  for (const n of names) {
    process.stderr.write(`bench: ${n}…\n`);
    fresh.set(n, await SECTIONS[n]!());
  }
  const parts = Object.keys(SECTIONS)
    .map((n) => fresh.get(n) ?? previous.get(n))
    .filter((x): x is string => x !== undefined);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const doc = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpu}, Node ${process.version}. Numbers are from that run on that machine; rerun to compare.`,
    '',
    ...parts,
  ].join('\n');
  writeFileSync(OUT, doc);
  process.stderr.write(`bench: wrote ${OUT}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
