/**
 * npm run replay -- --url URL --in FILE [--key KEY]
 * Streams a simulated file through the live API with fraud feedback 7 days after each fraud, and
 * prints AUC / AP / CP@100 (all rows, and the handbook test week). The key comes from --key, else
 * VIGIL_API_KEY, else the first of VIGIL_API_KEYS.
 */
import { parseArgs } from 'node:util';
import { summarizeScores } from '../evaluate/score-summary.js';
import { liveReplay } from '../pipeline/live-replay.js';
import { DEFAULT_WINDOWS } from '../pipeline/windows.js';
import { readNdjsonDataset } from '@vigil/sim';

const USAGE = 'usage: npm run replay -- --url URL --in FILE [--key KEY]';

async function main(): Promise<number> {
  let values: { url?: string; in?: string; key?: string };
  try {
    ({ values } = parseArgs({
      options: { url: { type: 'string' }, in: { type: 'string' }, key: { type: 'string' } },
    }));
  } catch (e) {
    process.stderr.write(`replay: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const key =
    values.key ?? process.env.VIGIL_API_KEY ?? process.env.VIGIL_API_KEYS?.split(',')[0]?.trim();
  if (!values.url || !values.in || !key) {
    process.stderr.write(
      `replay: --url, --in and an API key (--key or VIGIL_API_KEY) are required\n${USAGE}\n`,
    );
    return 2;
  }
  const ds = await readNdjsonDataset(values.in, { withIds: true });
  const started = performance.now();
  let last = 0;
  const r = await liveReplay(ds, {
    url: values.url,
    apiKey: key,
    onProgress: (done, total) => {
      if (performance.now() - last > 5000) {
        last = performance.now();
        process.stderr.write(
          `replay: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}\n`,
        );
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const summary = {
    transactions: ds.length,
    feedback: r.feedback,
    unknown_labels: r.unknownLabels,
    requests: r.requests,
    degraded: r.degraded,
    seconds: Math.round(seconds * 10) / 10,
    transactions_per_second: Math.round(ds.length / seconds),
    ...summarizeScores(ds, r.scoreOf, DEFAULT_WINDOWS.handbookTrainStart),
  };
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : '';
    process.stderr.write(`replay: ${e instanceof Error ? e.message : String(e)}${cause}\n`);
    process.exit(1);
  },
);
