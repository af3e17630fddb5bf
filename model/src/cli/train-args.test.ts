import { describe, expect, it } from 'vitest';
import { parseTrainArgs } from './train-args.js';

describe('parseTrainArgs', () => {
  it('reads own-data runs with their defaults', () => {
    expect(parseTrainArgs(['--in', 'h.ndjson', '--out', 'm'])).toEqual({
      kind: 'own',
      args: {
        in: 'h.ndjson',
        fromDb: false,
        out: 'm',
        labelDelayDays: 7,
        reviewRate: 0.01,
        declinePrecision: 0.9,
        seed: 0,
      },
    });
    const r = parseTrainArgs([
      '--from-db',
      '--out',
      'm',
      '--label-delay-days',
      '3.5',
      '--trees',
      '50',
    ]);
    expect(r).toMatchObject({
      kind: 'own',
      args: { fromDb: true, labelDelayDays: 3.5, trees: 50 },
    });
  });

  it('keeps the simulator run as it was', () => {
    expect(parseTrainArgs([])).toEqual({ kind: 'handbook', seeds: '0,1,2', ceilingSeeds: '3,4,5' });
  });

  it('refuses what cannot be meant', () => {
    const message = (argv: string[]) => {
      const r = parseTrainArgs(argv);
      return r.kind === 'invalid' ? r.message : r.kind;
    };
    expect(message(['--in', 'a', '--from-db', '--out', 'm'])).toMatch(/not both/);
    expect(message(['--in', 'a'])).toMatch(/--out DIR is required/);
    expect(message(['--trees', '5'])).toMatch(/--trees needs --in FILE or --from-db/);
    expect(message(['--in', 'a', '--out', 'm', '--seeds', '1'])).toMatch(/simulator run/);
    expect(message(['--in', 'a', '--out', 'm', '--decline-precision', '0'])).toMatch(/share in/);
    expect(message(['--in', 'a', '--out', 'm', '--trees', '1e3'])).toMatch(/whole number/);
    expect(message(['--in', 'a', '--out', 'm', '--label-delay-days', '-1'])).toMatch(/label-delay/);
    expect(message(['--bogus'])).toMatch(/bogus/);
  });
});
