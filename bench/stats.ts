/** Percentile of a sorted sample (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** p50 / p99 of a sample of durations (any unit). */
export function summarize(samples: Float64Array): { p50: number; p99: number; mean: number } {
  const s = samples.slice().sort();
  let sum = 0;
  for (const v of s) sum += v;
  return { p50: percentile(s, 50), p99: percentile(s, 99), mean: sum / s.length };
}

export function fmt(n: number, digits = 2): string {
  return n.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Markdown table from a header and rows. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * Static text with its {name} slots filled from `values`; a slot without a value throws, so a
 * renamed value cannot leave a literal "{name}" in the report. (One regular expression: a template
 * library would bring loops and escaping this text does not need.)
 */
export function fill(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in "${text.slice(0, 60)}…"`);
    return value;
  });
}

/** The shortest of `runs` timings of `fn`, in ms (the run least disturbed by the machine). */
export function best(runs: number, fn: () => void): number {
  let bestMs = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    bestMs = Math.min(bestMs, performance.now() - t0);
  }
  return bestMs;
}
