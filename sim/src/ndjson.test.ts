import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarize, toRecord } from './dataset.js';
import { simulate } from './generate.js';
import { NdjsonFormatError, readNdjsonDataset, writeNdjsonDataset } from './ndjson.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-ndjson-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ds = simulate({ customers: 200, terminals: 400, days: 40, seed: 9 });

describe('writeNdjsonDataset', () => {
  it('writes JSON.stringify(toRecord(ds, i)) on line i', async () => {
    const path = join(dir, 'lines.ndjson');
    await writeNdjsonDataset(ds, path);
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(ds.length);
    const bad: number[] = [];
    for (let i = 0; i < ds.length; i++) {
      if (lines[i] !== JSON.stringify(toRecord(ds, i))) bad.push(i);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('writes an empty file for an empty dataset', async () => {
    const path = join(dir, 'empty.ndjson');
    await writeNdjsonDataset({ ...ds, length: 0 }, path);
    expect(await readFile(path, 'utf8')).toBe('');
    const back = await readNdjsonDataset(path);
    expect(back.length).toBe(0);
  });
});

describe('readNdjsonDataset', () => {
  it('reads back exactly what was written', async () => {
    const path = join(dir, 'round-trip.ndjson');
    await writeNdjsonDataset(ds, path);
    const back = await readNdjsonDataset(path);
    expect(back.length).toBe(ds.length);
    expect(back.startEpochSec).toBe(ds.startEpochSec);
    expect(Array.from(back.timeSec)).toEqual(Array.from(ds.timeSec));
    expect(Array.from(back.customer)).toEqual(Array.from(ds.customer));
    expect(Array.from(back.terminal)).toEqual(Array.from(ds.terminal));
    expect(Array.from(back.amount)).toEqual(Array.from(ds.amount));
    expect(Array.from(back.isFraud)).toEqual(Array.from(ds.isFraud));
    expect(Array.from(back.scenario)).toEqual(Array.from(ds.scenario));
    expect(summarize(back)).toEqual(summarize(ds));
  });

  it('maps other ids densely in order of appearance; labels default to 0', async () => {
    const path = join(dir, 'foreign.ndjson');
    const rows = [
      { timestamp: '2021-03-04T10:00:00Z', customer_id: 'alice', terminal_id: 't_5', amount: 12.5 },
      // Fields in another order, an offset zone and boolean labels take the JSON.parse path.
      {
        amount: 3,
        terminal_id: 't_2',
        customer_id: 'bob',
        timestamp: '2021-03-04T12:30:00+02:00',
        is_fraud: true,
        fraud_scenario: 2,
      },
      { timestamp: '2021-03-05T00:00:01Z', customer_id: 'alice', terminal_id: 't_5', amount: 0 },
    ];
    await writeFile(path, `${rows.map((r) => JSON.stringify(r)).join('\r\n')}\r\n\n`);
    const back = await readNdjsonDataset(path);
    expect(back.length).toBe(3);
    expect(Array.from(back.customer)).toEqual([0, 1, 0]); // alice, bob: dense
    expect(Array.from(back.terminal)).toEqual([5, 2, 5]); // all t_N: kept as N
    expect(Array.from(back.isFraud)).toEqual([0, 1, 0]);
    expect(Array.from(back.scenario)).toEqual([0, 2, 0]);
    expect(back.startEpochSec).toBe(Date.parse('2021-03-04T00:00:00Z') / 1000);
    expect(back.timeSec[1]).toBe(Date.parse('2021-03-04T10:30:00Z') / 1000);
  });

  it('falls back to dense ids when one id of a column is not canonical', async () => {
    const path = join(dir, 'mixed.ndjson');
    const line = (c: string) =>
      JSON.stringify({
        timestamp: '2021-03-04T10:00:00Z',
        customer_id: c,
        terminal_id: 't_1',
        amount: 1,
      });
    await writeFile(path, ['c_7', 'c_007', 'c_3', 'c_7'].map(line).join('\n'));
    const back = await readNdjsonDataset(path);
    expect(Array.from(back.customer)).toEqual([0, 1, 2, 0]);
  });

  it.each([
    ['{"timestamp":', /:2: not valid JSON/],
    ['[1,2]', /:2: not a JSON object/],
    [
      '{"timestamp":"2021-03-04 10:00","customer_id":"c_1","terminal_id":"t_1","amount":1}',
      /timestamp/,
    ],
    [
      '{"timestamp":"2021-02-30T10:00:00Z","customer_id":"c_1","terminal_id":"t_1","amount":1}',
      /timestamp/,
    ],
    [
      '{"timestamp":"2021-03-04T10:00:00Z","customer_id":"","terminal_id":"t_1","amount":1}',
      /customer_id/,
    ],
    [
      '{"timestamp":"2021-03-04T10:00:00Z","customer_id":"c_1","terminal_id":7,"amount":1}',
      /terminal_id/,
    ],
    [
      '{"timestamp":"2021-03-04T10:00:00Z","customer_id":"c_1","terminal_id":"t_1","amount":-1}',
      /amount/,
    ],
    [
      '{"timestamp":"2021-03-04T10:00:00Z","customer_id":"c_1","terminal_id":"t_1","amount":"1"}',
      /amount/,
    ],
    [
      '{"timestamp":"2021-03-04T10:00:00Z","customer_id":"c_1","terminal_id":"t_1","amount":1,"is_fraud":2}',
      /is_fraud/,
    ],
    [
      '{"timestamp":"2021-03-04T10:00:00Z","customer_id":"c_1","terminal_id":"t_1","amount":1,"fraud_scenario":4}',
      /fraud_scenario/,
    ],
  ])('rejects %s with its line number', async (bad, message) => {
    const path = join(dir, 'bad.ndjson');
    await writeFile(path, `${JSON.stringify(toRecord(ds, 0))}\n${bad}\n`);
    const error = await readNdjsonDataset(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NdjsonFormatError);
    expect((error as NdjsonFormatError).code).toBe('NDJSON_FORMAT');
    expect((error as NdjsonFormatError).line).toBe(2);
    expect((error as Error).message).toMatch(message);
  });
});
