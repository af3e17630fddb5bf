/**
 * Test support for the registry: the edge's committed 10-tree test model (edge/test-model/, the
 * same graph contract as a trained model) with the metadata `train --in` writes around it, read
 * from its files (the backplane does not import the edge), and variants a registration refuses.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FEATURE_NAMES, parseTrainedModelMetadata, type TrainedModelMetadata } from '@vigil/core';

const TEST_MODEL = fileURLToPath(new URL('../../../../edge/test-model/', import.meta.url));

/** A reference distribution: two bins split at 0.5, half the rows in each. */
const half = { edges: [0.5], proportions: [0.5, 0.5] };

/** The test model's ONNX bytes and trained-model metadata under `version`. */
export async function trainedTestModel(
  version: string,
): Promise<{ onnx: Uint8Array; metadata: TrainedModelMetadata }> {
  const onnx = new Uint8Array(await readFile(TEST_MODEL + 'vigil-model.onnx'));
  const served = JSON.parse(await readFile(TEST_MODEL + 'vigil-model.json', 'utf8')) as {
    thresholds: { review: number; decline: number };
    training: Record<string, unknown>;
  };
  const metadata = parseTrainedModelMetadata({
    version,
    feature_names: [...FEATURE_NAMES],
    thresholds: served.thresholds,
    training: {
      ...served.training,
      source: 'file',
      data_span: { first: '2026-01-01T00:00:00Z', last: '2026-03-01T23:00:00Z' },
      transactions: 50_000,
      train_window: { start: '2026-01-01', end: '2026-02-05' },
      validation_window: { start: '2026-02-06', end: '2026-02-17' },
      test_window: { start: '2026-02-18', end: '2026-03-01' },
      label_delay_days: 7,
      policy: { review_rate: 0.01, decline_precision: 0.9 },
    },
    metrics: {
      validation: { auc: 0.9, ap: 0.6, cp100: 0.2 },
      test: {
        auc: 0.88,
        ap: 0.55,
        cp100: 0.18,
        alert_rate: 0.012,
        review_rate: 0.01,
        decline_rate: 0.002,
        transactions: 10_000,
        frauds: 90,
      },
    },
    reference: {
      rows: 'training window',
      score: half,
      features: FEATURE_NAMES.map((name) => ({ name, ...half })),
    },
  });
  return { onnx, metadata };
}

/** The test model's bytes with a doc_string appended (protobuf field 6): other bytes, same graph. */
export function otherBytes(onnx: Uint8Array, tag: string): Uint8Array {
  const text = new TextEncoder().encode(tag);
  return Uint8Array.of(...onnx, 0x32, text.length, ...text);
}

/** A one-tree graph 3 features wide: loads, but not as this build's model. */
export async function narrowOnnx(): Promise<Uint8Array> {
  return new Uint8Array(await readFile(TEST_MODEL + 'narrow.onnx'));
}

/** `POST /api/models`'s body for `onnx` and `metadata`. */
export const registerBody = (onnx: Uint8Array, metadata: unknown) => ({
  metadata,
  onnx: Buffer.from(onnx).toString('base64'),
});
