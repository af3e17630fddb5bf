import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { toFieldIssues } from '../schema/issues.js';
import { thresholdsPreviewRequestSchema, thresholdsSchema } from './thresholds-contract.js';

const issues = (schema: z.ZodMiniType, v: unknown) => {
  const r = z.safeParse(schema, v);
  return r.success ? [] : toFieldIssues(r.error.issues).map((i) => i.path);
};

describe('thresholds contract', () => {
  it('takes 0 ≤ review ≤ decline ≤ 1', () => {
    expect(issues(thresholdsSchema, { review: 0, decline: 0 })).toEqual([]);
    expect(issues(thresholdsSchema, { review: 0.4, decline: 1 })).toEqual([]);
  });

  it.each([
    [{ review: 0.8, decline: 0.2 }, ['/decline']],
    [{ review: -0.1, decline: 0.2 }, ['/review']],
    [{ review: 0.1, decline: 1.5 }, ['/decline']],
    [{ review: '0.1', decline: 0.5 }, ['/review']],
    [{ review: Number.NaN, decline: 0.5 }, ['/review']],
    [{ review: 0.1, decline: Number.POSITIVE_INFINITY }, ['/decline']],
    [{ review: 0.1 }, ['/decline']],
    [{ review: 0.1, decline: 0.5, extra: 1 }, ['/extra']],
    [[0.1, 0.5], ['']],
  ])('refuses %j naming %j', (body, paths) => {
    expect(issues(thresholdsSchema, body)).toEqual(paths);
  });

  it('checks the preview request the same way, with its window and model version', () => {
    const ok = { review: 0.2, decline: 0.6, from: '2026-01-01T00:00:00Z', model_version: 'm1' };
    expect(issues(thresholdsPreviewRequestSchema, ok)).toEqual([]);
    expect(issues(thresholdsPreviewRequestSchema, { ...ok, review: 0.7 })).toEqual(['/decline']);
    expect(issues(thresholdsPreviewRequestSchema, { ...ok, to: 'yesterday' })).toEqual(['/to']);
    expect(issues(thresholdsPreviewRequestSchema, { ...ok, model_version: '' })).toEqual([
      '/model_version',
    ]);
    expect(issues(thresholdsPreviewRequestSchema, { ...ok, model_version: 'a\u0000' })).toEqual([
      '/model_version',
    ]);
  });
});
