// The behaviour suite over real HTTP against the Node runtime: startNodeEdge (configuration from an
// env record, model files from disk, in-memory store, @hono/node-server) on an ephemeral port.
import { rm } from 'node:fs/promises';
import type { FeatureStore } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type LogEntry } from '../../app/index.js';
import {
  describeEdgeBehaviour,
  type EdgeTarget,
  type StoreFault,
} from '../../app/behaviour.suite.js';
import { loadServedModel } from '../../scoring/served-model.js';
import { testModelFiles, writeTestModelDir } from '../../scoring/test-model-files.js';
import { createMemoryFeatureStore } from '../../stores/memory-feature-store.js';
import { startNodeEdge } from './main.js';
import { serveNode } from '@vigil/node-runtime';

const API_KEY = 'node-suite-key-0123456789';
const logs: LogEntry[] = [];
let modelDir: string;

beforeAll(async () => {
  modelDir = await writeTestModelDir();
});
afterAll(async () => {
  await rm(modelDir, { recursive: true, force: true });
});

async function nodeTarget(): Promise<EdgeTarget> {
  const edge = await startNodeEdge(
    { PORT: '0', VIGIL_API_KEYS: `other-key-0123456789abc,${API_KEY}` },
    { modelDir, log: (e) => logs.push(e) },
  );
  return { baseUrl: edge.server.url, apiKey: API_KEY, close: () => edge.close() };
}

/** A memory store whose step fails as asked: a port implementation, not a module mock. */
function faultyStore(fault: StoreFault): FeatureStore {
  const inner = createMemoryFeatureStore();
  return {
    step: (txs) =>
      fault === 'store-throws'
        ? Promise.reject(new Error('feature store down'))
        : new Promise(() => {
            void txs;
          }),
    saveAnswers: (a) => inner.saveAnswers(a),
    label: (l) => inner.label(l),
    applyListChanges: (c, k) => inner.applyListChanges(c, k),
    listCursor: () => inner.listCursor(),
    close: () => inner.close(),
  };
}

async function faultyTarget(fault: StoreFault): Promise<EdgeTarget> {
  const { model, scorer } = await loadServedModel(await testModelFiles());
  const store = faultyStore(fault);
  const app = createApp({
    store,
    scorer,
    model,
    config: { apiKeys: [API_KEY], featureTimeoutMs: 30, corsOrigins: [], maxBodyBytes: 1_048_576 },
    runtime: 'node',
    log: (e) => logs.push(e),
  });
  const server = await serveNode(app.fetch, {
    port: 0,
    host: '127.0.0.1',
    requestTimeoutMs: 10_000,
  });
  return {
    baseUrl: server.url,
    apiKey: API_KEY,
    close: async () => {
      await server.close(100);
      await scorer.release();
    },
  };
}

describeEdgeBehaviour('node', nodeTarget, { makeFaultyTarget: faultyTarget, propertyRuns: 150 });

describe('node runtime wiring', () => {
  it('fails fast on bad configuration, naming the variable', async () => {
    await expect(startNodeEdge({ VIGIL_FEATURE_TIMEOUT_MS: 'soon' }, { modelDir })).rejects.toThrow(
      /VIGIL_FEATURE_TIMEOUT_MS/,
    );
  });

  it('generates a development key when VIGIL_API_KEYS is unset', async () => {
    const edge = await startNodeEdge({ PORT: '0' }, { modelDir, log: (e) => logs.push(e) });
    try {
      expect(edge.generatedKey).toMatch(/^vigil_dev_[A-Za-z0-9_-]{32}$/);
      const r = await fetch(`${edge.server.url}/v1/model`, {
        headers: { authorization: `Bearer ${edge.generatedKey}` },
      });
      expect(r.status).toBe(200);
      expect(edge.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await edge.close();
    }
  });

  it('refuses a model trained on other features', async () => {
    const { writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { mkdtemp, cp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'vigil-bad-model-'));
    try {
      await cp(modelDir, dir, { recursive: true });
      const files = await testModelFiles();
      const meta = files.metadata as { feature_names: string[] };
      await writeFile(
        join(dir, 'vigil-model.json'),
        JSON.stringify({ ...meta, feature_names: meta.feature_names.slice(1) }),
      );
      await expect(startNodeEdge({ PORT: '0' }, { modelDir: dir })).rejects.toThrow(
        /trained on features/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
