import type { OwnTrainingResult } from './train-own.js';

const f3 = (x: number) => x.toFixed(3);
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');

/** report.md of a model trained on a user's history: what it learned from, and how it tests. */
export function renderOwnReport(
  r: OwnTrainingResult,
  input: { readonly description: string; readonly totalSeconds: number },
): string {
  const m = r.metadata;
  const t = m.training;
  const test = m.metrics.test;
  const v = m.metrics.validation;
  const c = r.testConfusion;
  const window = (w: { start: string; end: string }) => `${w.start} … ${w.end}`;
  return `# Model ${m.version}

Trained by \`npm run train\` on ${input.description}: ${int(t.transactions)} transactions, ${int(r.counts.all.frauds)} frauds, from ${t.data_span.first} to ${t.data_span.last} (${r.windows.days} days).${r.sorted ? '\n\nThe input was not in time order: it was sorted by `timestamp` (stable) before the replay.' : ''}

Every transaction went through core's feature engine in event-time order, as the edge scores it; each fraud's label was applied when it became known (\`label_time\`, else ${t.label_delay_days} days after the transaction).

## Windows

The data's own days, 60 / 20 / 20 %, with a ${r.windows.gapDays}-day gap (the label delay) after training and after validation, so every label a window uses is known before the next one starts.

| window | dates | transactions | frauds |
|---|---|---:|---:|
| training | ${window(t.train_window)} | ${int(r.counts.train.transactions)} | ${int(r.counts.train.frauds)} |
| validation | ${window(t.validation_window)} | ${int(r.counts.validation.transactions)} | ${int(r.counts.validation.frauds)} |
| test | ${window(t.test_window)} | ${int(r.counts.test.transactions)} | ${int(r.counts.test.frauds)} |

${t.trees} trees (early-stopped on validation average precision), trained on ${int(t.rows)} rows: every fraud and a ${pct(Number(t.params['legitSampleRate']))} sample of the legitimate transactions, weighted back up.

## Thresholds

Chosen on the validation window: decline is the lowest score whose declines are at least ${pct(t.policy.decline_precision)} fraud; review flags the next ${pct(t.policy.review_rate)} of transactions (the review budget: what people look at).

| threshold | score |
|---|---:|
| review | ${m.thresholds.review.toPrecision(6)} |
| decline | ${m.thresholds.decline.toPrecision(6)} |

## Test window (the exported ONNX model, onnxruntime-web)

| metric | validation | test |
|---|---:|---:|
| ROC AUC | ${f3(v.auc)} | ${f3(test.auc)} |
| average precision | ${f3(v.ap)} | ${f3(test.ap)} |
| card precision@100 (per day) | ${f3(v.cp100)} | ${f3(test.cp100)} |
| review rate | ${pct(t.policy.review_rate)} (budget) | ${pct(test.review_rate)} |
| decline rate | | ${pct(test.decline_rate)} |
| alert rate (review + decline) | | ${pct(test.alert_rate)} |

| decision | frauds | legitimate |
|---|---:|---:|
| approve | ${int(c.approve.fraud)} | ${int(c.approve.legit)} |
| review | ${int(c.review.fraud)} | ${int(c.review.legit)} |
| decline | ${int(c.decline.fraud)} | ${int(c.decline.legit)} |

Largest difference between the ONNX model and core's tree walk on the test window: ${r.onnxMaxDiff.toExponential(1)}.

## Drift reference

\`metadata.json\` carries, for the score and each of the ${m.reference.features.length} features, decile bin edges and the share of the ${m.reference.rows} in each bin: the population stability (PSI) of live traffic is measured against it.

## Time

${input.totalSeconds.toFixed(1)} s in all: features ${(r.timingsMs.features / 1000).toFixed(1)} s, training ${(r.timingsMs.train / 1000).toFixed(1)} s, export and evaluation ${(r.timingsMs.evaluate / 1000).toFixed(1)} s.
`;
}
