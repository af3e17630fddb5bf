import { modelArtifactPath, RULES_SYNC_PATH } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { forwardsToBackplane } from './backplane-proxy.js';

describe("the public origin's allow-list", () => {
  it('forwards the analysts API, the model registry included', () => {
    expect(forwardsToBackplane('POST', '/api/models')).toBe(true);
    expect(forwardsToBackplane('GET', '/api/models/compare')).toBe(true);
  });

  it("keeps the edges' internal routes (rules sync, model artifacts) off the public origin", () => {
    expect(forwardsToBackplane('POST', RULES_SYNC_PATH)).toBe(false);
    expect(forwardsToBackplane('GET', modelArtifactPath('train-20260301-1a2b3c4d'))).toBe(false);
    expect(forwardsToBackplane('GET', '/internal/models/')).toBe(false);
  });
});
