import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, parseRetryAfter, retryDelayMs } from './ingest-client.js';

describe('retry timing', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2024-05-01T12:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('Wed, 01 May 2024 12:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Wed, 01 May 2024 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('uses full jitter under an exponential cap, and Retry-After (capped) when given', () => {
    const p = { baseMs: 100, capMs: 1_000, maxRetryAfterMs: 30_000 };
    expect(retryDelayMs(0, null, p, () => 1)).toBe(100);
    expect(retryDelayMs(3, null, p, () => 1)).toBe(800);
    expect(retryDelayMs(9, null, p, () => 1)).toBe(1_000);
    expect(retryDelayMs(50, null, p, () => 0.5)).toBe(500);
    expect(retryDelayMs(2, null, p, () => 0)).toBe(0);
    expect(retryDelayMs(0, 2_000, p, () => 0.5)).toBe(2_050);
    expect(retryDelayMs(0, 120_000, p, () => 0)).toBe(30_000);
    expect(DEFAULT_BACKOFF.capMs).toBeLessThanOrEqual(5_000);
  });
});
