import { describe, expect, it } from 'vitest';
import type { Baseline } from './backplane-baselines.js';
import { renderBackplane, type BackplaneResults } from './backplane-report.js';
import type { Saturation } from './backplane-runs.js';

// Made-up measurements (one module's unit test): the renderer must turn them into the section's
// text and tables, every slot filled, the sentences chosen by the numbers.
const baseline = (events: number, seconds: number, serviceCpu: number, clientCpu: number) =>
  ({ events, seconds, serviceCpu, clientCpu }) satisfies Baseline;
const saturation = (pipelineRate: number): Saturation => ({
  ingestRate: pipelineRate * 1.5,
  pipelineRate,
  seconds: 101_000 / pipelineRate,
  cpu: { target: 10, kafka: 4, pg: 3, own: 1, others: 0.5 },
});
const results = (over: Partial<BackplaneResults> = {}): BackplaneResults => ({
  instances: 1,
  cores: 2,
  batch: 1_000,
  concurrency: 4,
  targetRate: 10_000,
  events: 101_000,
  allEvents: 140_000,
  steadyRate: 3_000,
  steadySeconds: 10,
  saturation: saturation(6_000),
  requiredWork: saturation(8_000),
  latencies: Float64Array.from({ length: 100 }, (_, i) => i * 5),
  loss: {
    rows: 100_000,
    distinct: 100_000,
    decisions: 100_000,
    verdicts: 1_000,
    feedbackRows: 1_000,
    missingAtHub: 0,
  },
  perBatch: 400,
  perWrite: 1_200,
  kafkaWasRunning: false,
  baselines: {
    postgres: baseline(101_000, 10, 12, 6),
    kafka: baseline(101_000, 8, 10, 6),
    consume: baseline(101_000, 2, 1, 2),
    checks: baseline(101_000, 3, 0, 3),
  },
  ...over,
});

describe('the backplane section', () => {
  it('fills every slot and reports the measured numbers', () => {
    const text = renderBackplane(results());
    expect(text).not.toMatch(/\{\w+\}/);
    expect(text).toContain('## Backplane: ingest → Kafka → Postgres → LiveHub');
    expect(text).toContain(
      '| sustained events/s, first POST → all rows in Postgres | **6,000** | ≥ 10,000 ❌ |',
    );
    expect(text).toContain('The backplane as one process (ingest and consumer roles; 6 partitions');
    // p99 of 0, 5, … 495 ms by nearest rank.
    expect(text).toContain('245 ms / **490 ms**');
    expect(text).toContain('missing at hub 0 | zero, zero ✅');
    // Postgres alone: 12 + 6 s of CPU over 101,000 events = 178 ms per 1,000.
    expect(text).toContain('119 ms PostgreSQL + 59 ms postgres client = **178 ms**');
  });

  it('chooses the sentences by the results', () => {
    const over = renderBackplane(results());
    // 2 cores at 10,000 events/s give 200 ms per 1,000 events; Postgres + Kafka alone cost 337.
    expect(over).toContain('That exceeds the budget by');
    expect(over).toContain('started by this run');
    expect(over).toContain('Even this pipeline misses the target');
    const fits = renderBackplane(
      results({
        instances: 3,
        kafkaWasRunning: true,
        requiredWork: saturation(12_000),
        baselines: {
          postgres: baseline(101_000, 10, 1, 1),
          kafka: baseline(101_000, 8, 1, 1),
          consume: baseline(101_000, 2, 1, 1),
          checks: baseline(101_000, 3, 0, 1),
        },
      }),
    );
    expect(fits).toContain('That fits within the budget');
    expect(fits).toContain('3 processes: one with the ingest role, 2 with the consumer role');
    expect(fits).toContain('already running before this run');
    expect(fits).toContain('It reaches the target');
  });
});
