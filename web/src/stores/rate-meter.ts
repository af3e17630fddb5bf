/**
 * Events per second over a sliding window of whole seconds, from arrival times: the dashboard's own
 * view of throughput, live between two polls of /api/stats.
 */
export class RateMeter {
  private readonly buckets: Float64Array;
  /** The second (epoch) each bucket counts; -1 = empty. */
  private readonly seconds: Float64Array;

  /** `windowSeconds` full seconds are averaged; the current, partial second is not. */
  constructor(private readonly windowSeconds = 5) {
    this.buckets = new Float64Array(windowSeconds + 1);
    this.seconds = new Float64Array(windowSeconds + 1).fill(-1);
  }

  /** The first second anything was counted in (the average covers no time before it). */
  private firstSecond = Number.POSITIVE_INFINITY;

  /** Counts `n` events arriving at `nowMs`. */
  add(n: number, nowMs: number): void {
    const sec = Math.floor(nowMs / 1000);
    if (sec < this.firstSecond) this.firstSecond = sec;
    const i = sec % this.buckets.length;
    if (this.seconds[i] !== sec) {
      this.seconds[i] = sec;
      this.buckets[i] = 0;
    }
    this.buckets[i]! += n;
  }

  /**
   * Mean events per second over the last `windowSeconds` complete seconds before `nowMs` — or over
   * the complete seconds since counting began, when that is shorter (a fresh page is not slow).
   */
  rate(nowMs: number): number {
    const current = Math.floor(nowMs / 1000);
    const span = Math.min(this.windowSeconds, current - this.firstSecond);
    if (!(span > 0)) return 0;
    let sum = 0;
    for (let s = current - span; s < current; s++) {
      const i = s % this.buckets.length;
      if (this.seconds[i] === s) sum += this.buckets[i]!;
    }
    return sum / span;
  }

  reset(): void {
    this.buckets.fill(0);
    this.seconds.fill(-1);
    this.firstSecond = Number.POSITIVE_INFINITY;
  }
}
