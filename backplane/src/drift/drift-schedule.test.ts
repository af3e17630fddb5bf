import { describe, expect, it } from 'vitest';
import { driftRunDue, type LastDriftRun } from './drift-schedule.js';

const T = { intervalMs: 3_600_000, retryMs: 300_000 };
const at = (status: LastDriftRun['status'], champion: string | null = 'm1'): LastDriftRun => ({
  atMs: 0,
  status,
  champion,
});

describe('driftRunDue', () => {
  it('runs at start, then hourly after a run with data', () => {
    expect(driftRunDue(null, 'm1', 0, T)).toBe(true);
    expect(driftRunDue(at('ok'), 'm1', 3_599_999, T)).toBe(false);
    expect(driftRunDue(at('ok'), 'm1', 3_600_000, T)).toBe(true);
    // A champion without a reference: retrying would not find one.
    expect(driftRunDue(at('no_reference'), 'm1', 300_000, T)).toBe(false);
  });

  it('runs again within minutes after a run with no data or a failure, until one has data', () => {
    expect(driftRunDue(at('no_data'), 'm1', 299_999, T)).toBe(false);
    expect(driftRunDue(at('no_data'), 'm1', 300_000, T)).toBe(true);
    expect(driftRunDue(at('failed'), 'm1', 300_000, T)).toBe(true);
    // Another backplane ran it: its own schedule retries.
    expect(driftRunDue(at('elsewhere'), 'm1', 300_000, T)).toBe(false);
  });

  it('runs at once when the champion changed (a promotion, a roll-back to the default)', () => {
    expect(driftRunDue(at('ok', 'm1'), 'm2', 1, T)).toBe(true);
    expect(driftRunDue(at('ok', 'm2'), null, 1, T)).toBe(true);
    expect(driftRunDue(at('ok', null), null, 1, T)).toBe(false);
  });
});
