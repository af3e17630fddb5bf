/**
 * Command-line arguments of `npm run simulate`, parsed and validated without touching the
 * process, so the rules are testable; the entry point only prints and exits.
 */
import { parseArgs } from 'node:util';
import { resolveSimulateOptions, type ResolvedSimulateOptions } from './generate.js';

export const SIMULATE_USAGE = `Usage: npm run simulate -- --out FILE [options]

Simulates the Fraud Detection Handbook's card transactions and writes them as NDJSON.

  --out FILE         where to write the NDJSON (required)
  --customers N      number of customers (default 5000)
  --terminals N      number of terminals (default 10000)
  --days N           number of days (default 183)
  --start YYYY-MM-DD first day, UTC (default 2018-04-01)
  --seed N           non-negative integer seed (default 0)
  --radius R         a customer's terminals are those closer than R (default 5)
  -h, --help         show this help`;

export type SimulateArgs =
  | { kind: 'run'; out: string; options: ResolvedSimulateOptions }
  | { kind: 'help' }
  | { kind: 'invalid'; message: string };

/** A whole decimal number, or NaN (Number('') is 0 and Number('1e3') is 1000: both refused). */
export function parseInteger(text: string): number {
  return /^\d+$/.test(text) ? Number(text) : NaN;
}

/** A non-negative decimal number, or NaN (as {@link parseInteger}, with an optional fraction). */
export function parseDecimal(text: string): number {
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
}

/** Parse argv (without the node and script paths). */
export function parseSimulateArgs(argv: readonly string[]): SimulateArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: 'string' },
        customers: { type: 'string' },
        terminals: { type: 'string' },
        days: { type: 'string' },
        start: { type: 'string' },
        seed: { type: 'string' },
        radius: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    return { kind: 'invalid', message: e instanceof Error ? e.message : String(e) };
  }
  if (values.help) return { kind: 'help' };
  if (values.out === undefined || values.out === '') {
    return { kind: 'invalid', message: '--out FILE is required' };
  }
  const integers = ['customers', 'terminals', 'days', 'seed'] as const;
  for (const name of integers) {
    const text = values[name];
    if (text !== undefined && Number.isNaN(parseInteger(text))) {
      return { kind: 'invalid', message: `--${name} must be a whole number, got '${text}'` };
    }
  }
  if (values.radius !== undefined && Number.isNaN(parseDecimal(values.radius))) {
    return { kind: 'invalid', message: `--radius must be a number, got '${values.radius}'` };
  }
  const num = (text: string | undefined, parse: (t: string) => number): number | undefined =>
    text === undefined ? undefined : parse(text);
  try {
    const options = resolveSimulateOptions({
      customers: num(values.customers, parseInteger),
      terminals: num(values.terminals, parseInteger),
      days: num(values.days, parseInteger),
      seed: num(values.seed, parseInteger),
      radius: num(values.radius, parseDecimal),
      start: values.start,
    });
    return { kind: 'run', out: values.out, options };
  } catch (e) {
    if (e instanceof RangeError) return { kind: 'invalid', message: `--${e.message}` };
    throw e;
  }
}
