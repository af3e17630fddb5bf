import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { modelArtifactPath, MODEL_ARTIFACT_PATH_PREFIX } from '../api/paths.js';
import { rulesSyncAnswerSchema, rulesSyncRequestSchema } from '../rules/rules-sync.js';
import {
  MAX_MODEL_ONNX_BYTES,
  MAX_MODEL_REGISTER_BODY,
  modelCompareQuerySchema,
  registerModelRequestSchema,
  syncedModelsSchema,
} from './registry-contract.js';

const SHA = 'ab'.repeat(32);
const base = { ruleset: null, lists: [], changes: [], cursor: 'x.0', more: false };

describe('the registry contract', () => {
  it('a sync answer with or without models parses; a bad digest does not', () => {
    expect(z.safeParse(rulesSyncAnswerSchema, base).success).toBe(true);
    const models = { champion: { version: 'gbdt-1', sha256: SHA }, challenger: null };
    expect(z.safeParse(rulesSyncAnswerSchema, { ...base, models }).success).toBe(true);
    const bad = { champion: { version: 'gbdt-1', sha256: SHA.toUpperCase() }, challenger: null };
    expect(z.safeParse(syncedModelsSchema, bad).success).toBe(false);
  });

  it('a sync request may name the loaded models (null: the deployed model)', () => {
    const req = { ruleset_version: 0, cursor: null, models: { champion: null, challenger: 'v2' } };
    expect(z.safeParse(rulesSyncRequestSchema, req).success).toBe(true);
    const extra = { ...req, models: { champion: null, challenger: null, other: 1 } };
    expect(z.safeParse(rulesSyncRequestSchema, extra).success).toBe(false);
  });

  it('the artifact path encodes the version as one segment', () => {
    expect(modelArtifactPath('gbdt-4a7e')).toBe(`${MODEL_ARTIFACT_PATH_PREFIX}gbdt-4a7e`);
    expect(modelArtifactPath('a/b c')).toBe('/internal/models/a%2Fb%20c');
  });

  it('the register body limit leaves room for the base64 ONNX at its limit', () => {
    expect(MAX_MODEL_REGISTER_BODY).toBeGreaterThan((MAX_MODEL_ONNX_BYTES / 3) * 4);
    expect(z.safeParse(registerModelRequestSchema, { metadata: {}, onnx: '' }).success).toBe(false);
    expect(z.safeParse(registerModelRequestSchema, { onnx: 'AA==' }).success).toBe(false);
    expect(z.safeParse(registerModelRequestSchema, { metadata: 1, onnx: 'AA==' }).success).toBe(
      true,
    );
  });

  it('the compare query needs both versions', () => {
    expect(z.safeParse(modelCompareQuerySchema, { champion: 'a' }).success).toBe(false);
    expect(z.safeParse(modelCompareQuerySchema, { champion: 'a', challenger: 'b' }).success).toBe(
      true,
    );
  });
});
