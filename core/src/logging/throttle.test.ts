import { describe, expect, it } from 'vitest';
import { createThrottle } from './throttle.js';

describe('createThrottle', () => {
  it('lets the first occurrence of a key through, then one per period with what it stands for', () => {
    let t = 1_000;
    const hit = createThrottle(10_000, () => t);
    expect(hit('down')).toEqual({ occurrences: 1, dropped: 0 });
    expect(hit('down', 3)).toBeNull();
    t += 5_000;
    expect(hit('down', 2)).toBeNull();
    // Another key has its own counter.
    expect(hit('refused')).toEqual({ occurrences: 1, dropped: 0 });
    t += 5_000;
    expect(hit('down', 1)).toEqual({ occurrences: 3, dropped: 6 });
    expect(hit('down')).toBeNull();
  });
});
