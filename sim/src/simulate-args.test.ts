import { describe, expect, it } from 'vitest';
import { DEFAULT_SIMULATE_OPTIONS } from './generate.js';
import { parseSimulateArgs } from './simulate-args.js';

describe('parseSimulateArgs', () => {
  it('uses the handbook defaults with only --out', () => {
    expect(parseSimulateArgs(['--out', 'tx.ndjson'])).toEqual({
      kind: 'run',
      out: 'tx.ndjson',
      options: DEFAULT_SIMULATE_OPTIONS,
    });
  });

  it('reads every option', () => {
    const args = parseSimulateArgs([
      '--out=x.ndjson',
      '--customers',
      '10',
      '--terminals',
      '20',
      '--days',
      '30',
      '--start',
      '2020-02-29',
      '--seed',
      '4294967297',
      '--radius',
      '2.5',
    ]);
    expect(args).toEqual({
      kind: 'run',
      out: 'x.ndjson',
      options: {
        customers: 10,
        terminals: 20,
        days: 30,
        start: '2020-02-29',
        seed: 4294967297,
        radius: 2.5,
      },
    });
  });

  it('asks for help', () => {
    expect(parseSimulateArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [[], /--out FILE is required/],
    [['--out'], /argument missing/],
    [['--out', 'x', '--bogus'], /Unknown option '--bogus'/],
    [['--out', 'x', 'extra'], /positional/],
    [['--out', 'x', '--customers', '0'], /--customers must be an integer in 1\.\./],
    [['--out', 'x', '--customers', '1e3'], /--customers must be a whole number/],
    [['--out', 'x', '--days', ''], /--days must be a whole number/],
    [['--out', 'x', '--days', '99999'], /--days must be an integer/],
    [['--out', 'x', '--seed', '-1'], /--seed/],
    [['--out', 'x', '--seed', '1.5'], /--seed must be a whole number/],
    [['--out', 'x', '--start', '2018-02-30'], /--start must be a calendar date/],
    [['--out', 'x', '--start', '01/04/2018'], /--start must be a calendar date/],
    [['--out', 'x', '--radius', '0'], /--radius must be a finite number > 0/],
    [['--out', 'x', '--radius', 'far'], /--radius must be a number/],
  ])('rejects %j', (argv, message) => {
    const args = parseSimulateArgs(argv);
    expect(args.kind).toBe('invalid');
    if (args.kind === 'invalid') expect(args.message).toMatch(message);
  });
});
