/**
 * Arguments of `npm run train` on a user's own data (`--in FILE` or `--from-db`), parsed and
 * checked without touching the process so the rules are testable.
 */
import { parseArgs } from 'node:util';
import { parseDecimal, parseInteger } from '@vigil/sim';
import { DEFAULT_POLICY } from '../pipeline/thresholds.js';
import { DEFAULT_LABEL_DELAY_DAYS } from '../own-data/train-own.js';

export const TRAIN_USAGE = `Usage: npm run train -- --in FILE --out DIR [options]
       npm run train -- --from-db --out DIR [options]
       npm run train [-- --seeds 0,1,2] [--ceiling-seeds 3,4,5]   (the shipped model, on the simulator)

Trains a model on your own labelled history and writes DIR/model.onnx, DIR/metadata.json and
DIR/report.md.

  --in FILE                  NDJSON: one transaction a line (the scoring API's fields) plus is_fraud
                             (0/1) and optionally label_time (when the label became known)
  --from-db                  the backplane's stored decisions and their latest verdicts
                             (DATABASE_URL, else the embedded database in .vigil/pgdata)
  --out DIR                  where to write the model (required)
  --label-delay-days N       days after a fraud its label is applied when it has no label_time
                             (default ${DEFAULT_LABEL_DELAY_DAYS}); also the gap between windows
  --review-rate R            review budget: share of transactions in the review band, below
                             decline (default ${DEFAULT_POLICY.alertRate})
  --decline-precision P      precision declines must reach on validation (default ${DEFAULT_POLICY.declinePrecision})
  --trees N                  most trees (default 600; early stopping may keep fewer)
  --seed N                   the trainer's seed (default 0)
  -h, --help                 show this help`;

export interface OwnTrainArgs {
  readonly in?: string;
  readonly fromDb: boolean;
  readonly out: string;
  readonly labelDelayDays: number;
  readonly reviewRate: number;
  readonly declinePrecision: number;
  readonly trees?: number;
  readonly seed: number;
}

export type TrainArgs =
  | { kind: 'own'; args: OwnTrainArgs }
  | { kind: 'handbook'; seeds: string; ceilingSeeds: string; out?: string; report?: string }
  | { kind: 'help' }
  | { kind: 'invalid'; message: string };

// Numbers as the simulator's flags read them: plain decimals ('' and '1e3' are refused).
const decimal = parseDecimal;
const whole = parseInteger;

export function parseTrainArgs(argv: readonly string[]): TrainArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        in: { type: 'string' },
        'from-db': { type: 'boolean', default: false },
        out: { type: 'string' },
        'label-delay-days': { type: 'string' },
        'review-rate': { type: 'string' },
        'decline-precision': { type: 'string' },
        trees: { type: 'string' },
        seed: { type: 'string' },
        seeds: { type: 'string' },
        'ceiling-seeds': { type: 'string' },
        report: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    return { kind: 'invalid', message: e instanceof Error ? e.message : String(e) };
  }
  if (values.help) return { kind: 'help' };
  const own = values.in !== undefined || values['from-db'];
  if (!own) {
    for (const flag of [
      'label-delay-days',
      'review-rate',
      'decline-precision',
      'trees',
      'seed',
    ] as const)
      if (values[flag] !== undefined)
        return { kind: 'invalid', message: `--${flag} needs --in FILE or --from-db` };
    return {
      kind: 'handbook',
      seeds: values.seeds ?? '0,1,2',
      ceilingSeeds: values['ceiling-seeds'] ?? '3,4,5',
      out: values.out,
      report: values.report,
    };
  }
  if (values.in !== undefined && values['from-db'])
    return { kind: 'invalid', message: 'give --in FILE or --from-db, not both' };
  if (values.in === '') return { kind: 'invalid', message: '--in needs a file' };
  if (
    values.seeds !== undefined ||
    values['ceiling-seeds'] !== undefined ||
    values.report !== undefined
  )
    return {
      kind: 'invalid',
      message:
        '--seeds, --ceiling-seeds and --report are for the simulator run, not with --in or --from-db',
    };
  if (values.out === undefined || values.out === '')
    return { kind: 'invalid', message: '--out DIR is required' };

  const read = (
    flag: string,
    text: string | undefined,
    fallback: number,
    parse: (s: string) => number,
    ok: (x: number) => boolean,
    rule: string,
  ): number | string => {
    if (text === undefined) return fallback;
    const x = parse(text);
    return Number.isNaN(x) || !ok(x) ? `--${flag} must be ${rule}, got '${text}'` : x;
  };
  const delay = read(
    'label-delay-days',
    values['label-delay-days'],
    DEFAULT_LABEL_DELAY_DAYS,
    decimal,
    (x) => x <= 365,
    'a number of days from 0 to 365',
  );
  const review = read(
    'review-rate',
    values['review-rate'],
    DEFAULT_POLICY.alertRate,
    decimal,
    (x) => x > 0 && x <= 1,
    'a share in (0, 1]',
  );
  const precision = read(
    'decline-precision',
    values['decline-precision'],
    DEFAULT_POLICY.declinePrecision,
    decimal,
    (x) => x > 0 && x <= 1,
    'a share in (0, 1]',
  );
  const trees = read(
    'trees',
    values.trees,
    0,
    whole,
    (x) => x >= 1 && x <= 5000,
    'a whole number from 1 to 5000',
  );
  const seed = read('seed', values.seed, 0, whole, (x) => x <= 0x7fffffff, 'a whole number');
  for (const x of [delay, review, precision, trees, seed])
    if (typeof x === 'string') return { kind: 'invalid', message: x };
  return {
    kind: 'own',
    args: {
      ...(values.in === undefined ? {} : { in: values.in }),
      fromDb: values['from-db'],
      out: values.out,
      labelDelayDays: delay as number,
      reviewRate: review as number,
      declinePrecision: precision as number,
      ...(values.trees === undefined ? {} : { trees: trees as number }),
      seed: seed as number,
    },
  };
}
