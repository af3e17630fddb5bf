import { describe, expect, it } from 'vitest';
import { WriteCoalescer } from './write-coalescer.js';

class DataError extends Error {}

/** A writer that records each call's batches and can be held open or made to fail. */
function recorder(fail: (batches: readonly string[][]) => Error | undefined = () => undefined) {
  const calls: string[][][] = [];
  let release: () => void = () => undefined;
  let held: Promise<void> | undefined;
  return {
    calls,
    hold() {
      held = new Promise<void>((r) => (release = r));
    },
    release: () => release(),
    writer: async (batches: readonly string[][]) => {
      calls.push([...batches]);
      if (held) await held;
      const error = fail(batches);
      if (error) throw error;
    },
  };
}

const options = {
  maxRows: 5,
  maxInFlight: 1,
  rowsOf: (b: string[]) => b.length,
  isDataError: (e: unknown) => e instanceof DataError,
};

describe('WriteCoalescer', () => {
  it('writes the batches handed over together in one write', async () => {
    const r = recorder();
    const c = new WriteCoalescer(r.writer, options);
    await Promise.all([c.write(['a']), c.write(['b', 'c']), c.write(['d'])]);
    expect(r.calls).toEqual([[['a'], ['b', 'c'], ['d']]]);
  });

  it('gathers while a write runs, up to maxRows, never splitting a batch', async () => {
    const r = recorder();
    const c = new WriteCoalescer(r.writer, options);
    r.hold();
    const first = c.write(['a']);
    await new Promise((s) => setImmediate(s));
    const rest = [c.write(['b', 'c']), c.write(['d', 'e', 'f']), c.write(['g'])];
    r.release();
    await Promise.all([first, ...rest]);
    expect(r.calls).toEqual([
      [['a']],
      [
        ['b', 'c'],
        ['d', 'e', 'f'],
      ],
      [['g']],
    ]);
  });

  it('runs at most maxInFlight writes at once', async () => {
    let running = 0;
    let most = 0;
    const c = new WriteCoalescer(
      async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((s) => setTimeout(s, 5));
        running--;
      },
      { ...options, maxRows: 1, maxInFlight: 2 },
    );
    await Promise.all(Array.from({ length: 6 }, (_, i) => c.write([String(i)])));
    expect(most).toBe(2);
  });

  it('fails every batch of a write that fails for any other reason than its data', async () => {
    const r = recorder(() => new Error('connection lost'));
    const c = new WriteCoalescer(r.writer, options);
    const results = await Promise.allSettled([c.write(['a']), c.write(['b'])]);
    expect(results.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    expect(r.calls).toHaveLength(1);
  });

  it('splits a write refused for its data, so only the bad batch fails', async () => {
    const r = recorder((batches) => (batches.flat().includes('bad') ? new DataError() : undefined));
    const c = new WriteCoalescer(r.writer, options);
    const results = await Promise.allSettled([c.write(['a']), c.write(['bad']), c.write(['c'])]);
    expect(results.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(DataError);
    expect(r.calls).toEqual([[['a'], ['bad'], ['c']], [['a']], [['bad']], [['c']]]);
  });

  it('keeps writing after a failure', async () => {
    let fail = true;
    const c = new WriteCoalescer(
      () => (fail ? Promise.reject(new Error('down')) : Promise.resolve()),
      options,
    );
    await expect(c.write(['a'])).rejects.toThrow('down');
    fail = false;
    await expect(c.write(['a'])).resolves.toBeUndefined();
  });
});
