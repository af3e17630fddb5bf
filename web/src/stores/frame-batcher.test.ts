import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFrameBatcher, frameScheduler } from './frame-batcher.js';
import { manualFrames } from '../test/fakes.js';

describe('createFrameBatcher', () => {
  it('applies everything queued within a frame once, in arrival order', () => {
    const frames = manualFrames();
    const applied: number[][] = [];
    const b = createFrameBatcher<number>({
      apply: (x) => applied.push(x),
      schedule: frames.schedule,
    });
    for (let i = 0; i < 100; i++) b.push([i * 2, i * 2 + 1]);
    expect(applied).toEqual([]);
    expect(frames.waiting).toBe(1); // one frame asked for, not 100
    frames.frame();
    expect(applied).toHaveLength(1);
    expect(applied[0]).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(b.pending()).toBe(0);
  });

  it('asks for no frame when nothing is queued', () => {
    const frames = manualFrames();
    const b = createFrameBatcher<number>({ apply: () => undefined, schedule: frames.schedule });
    b.push([]);
    expect(frames.waiting).toBe(0);
  });

  it('bounds the queue, dropping the oldest and saying how many', () => {
    const frames = manualFrames();
    const applied: number[] = [];
    let dropped = 0;
    const b = createFrameBatcher<number>({
      apply: (x) => applied.push(...x),
      schedule: frames.schedule,
      maxQueued: 10,
      onOverflow: (n) => (dropped += n),
    });
    b.push(Array.from({ length: 25 }, (_, i) => i));
    frames.frame();
    expect(dropped).toBe(15);
    expect(applied).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
  });

  it('flushes on demand and clears without applying', () => {
    const frames = manualFrames();
    const applied: number[] = [];
    const b = createFrameBatcher<number>({
      apply: (x) => applied.push(...x),
      schedule: frames.schedule,
    });
    b.push([1, 2]);
    b.flush();
    expect(applied).toEqual([1, 2]);
    expect(frames.waiting).toBe(0);
    b.push([3]);
    b.clear();
    frames.frame();
    expect(applied).toEqual([1, 2]);
  });
});

describe('frameScheduler', () => {
  /** Frames every 16 ms on fake timers; `framesOn` false models a hidden tab (no frames). */
  function withFakeFrames(framesOn = true) {
    vi.useFakeTimers();
    let nextId = 1;
    const frames = new Map<number, ReturnType<typeof setTimeout>>();
    vi.stubGlobal('requestAnimationFrame', (cb: (t: number) => void) => {
      const id = nextId++;
      if (framesOn)
        frames.set(
          id,
          setTimeout(() => cb(Date.now()), 16),
        );
      return id;
    });
    vi.stubGlobal('cancelAnimationFrame', (id: number) => clearTimeout(frames.get(id)));
  }
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('runs on the next frame, once', () => {
    withFakeFrames();
    const schedule = frameScheduler({ now: () => Date.now() });
    let runs = 0;
    schedule(() => runs++);
    vi.advanceTimersByTime(15);
    expect(runs).toBe(0);
    vi.advanceTimersByTime(1);
    expect(runs).toBe(1);
    vi.advanceTimersByTime(1000); // the fallback timer does not run it again
    expect(runs).toBe(1);
  });

  it('keeps at least minIntervalMs between runs', () => {
    withFakeFrames();
    const schedule = frameScheduler({ minIntervalMs: 100, now: () => Date.now() });
    const at: number[] = [];
    const start = Date.now();
    const loop = (): void => {
      at.push(Date.now() - start);
      if (at.length < 4) schedule(loop);
    };
    schedule(loop);
    vi.advanceTimersByTime(1000);
    expect(at).toHaveLength(4);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(100);
  });

  it('still runs in a hidden tab, on the fallback timer', () => {
    withFakeFrames(false);
    const schedule = frameScheduler({ fallbackMs: 250, now: () => Date.now() });
    let runs = 0;
    schedule(() => runs++);
    vi.advanceTimersByTime(249);
    expect(runs).toBe(0);
    vi.advanceTimersByTime(1);
    expect(runs).toBe(1);
  });

  it('can be cancelled', () => {
    withFakeFrames();
    const schedule = frameScheduler({ now: () => Date.now() });
    let runs = 0;
    const cancel = schedule(() => runs++);
    cancel();
    vi.advanceTimersByTime(1000);
    expect(runs).toBe(0);
  });
});
