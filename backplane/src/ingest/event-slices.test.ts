import { validateIngestBatch } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { decisionEvent, feedbackEvent } from '../testing/fixtures.js';
import { eventSlices } from './event-slices.js';

const events = [
  decisionEvent(1),
  feedbackEvent(1, 'fraud', '2018-09-01T00:00:00Z'),
  decisionEvent(2),
];

const split = (body: string | Buffer, count = events.length) =>
  eventSlices(typeof body === 'string' ? Buffer.from(body) : body, count)?.map((s) =>
    Buffer.from(s).toString('utf8'),
  ) ?? null;

describe('eventSlices', () => {
  it("relies on core's schemas handing back exactly what they were given", () => {
    const full = [
      {
        ...decisionEvent(3),
        transaction: {
          ...decisionEvent(3).transaction,
          channel: 'ecommerce',
          country: 'DE',
          device_id: 'd_1',
          ip: '192.0.2.1',
        },
      },
      {
        ...feedbackEvent(3, 'legitimate', '2018-09-01T00:00:00Z'),
        source: 'analyst',
        customer_id: 'c_3',
        case_id: 'case_tx_r_3',
        actor: 'ana',
      },
    ];
    const parsed = JSON.parse(JSON.stringify({ events: full })) as unknown;
    const v = validateIngestBatch(parsed);
    expect(v.ok && v.value).toStrictEqual(parsed);
  });

  it("gives each event's own JSON from a batch as the edge serializes it", () => {
    expect(split(JSON.stringify({ events }))).toEqual(events.map((e) => JSON.stringify(e)));
  });

  it('returns views into the body, not copies', () => {
    const body = Buffer.from(JSON.stringify({ events }));
    const slices = eventSlices(body, events.length)!;
    expect(slices[0]!.buffer).toBe(body.buffer);
  });

  it('takes any JSON whitespace, and each slice parses to its event', () => {
    const body = `\r\n {\t"events" :\n[ ${events.map((e) => JSON.stringify(e, null, 2)).join(' ,\n')} ] }\n`;
    expect(split(body)?.map((s) => JSON.parse(s) as unknown)).toEqual(events);
  });

  it('finds the bounds whatever the strings hold', () => {
    const tricky = [
      '}',
      ']',
      '{"a":[1,',
      ',',
      'quote " inside',
      'ends in a backslash \\',
      '\\"',
      '\\\\"',
      'é ✓ 𝄞',
      '\u2028',
    ];
    const odd = tricky.map((s, i) => ({
      ...decisionEvent(i),
      model_version: s,
      features: { [s]: -0.5, [`${s}2`]: 12e-3 },
    }));
    const body = JSON.stringify({ events: odd });
    expect(split(body, odd.length)?.map((s) => JSON.parse(s) as unknown)).toEqual(odd);
  });

  it('keeps the bytes of escapes and non-ASCII text as sent', () => {
    const body = '{"events":[{"model_version":"caf\\u00e9 ☕","n":1}]}';
    expect(split(body, 1)).toEqual(['{"model_version":"caf\\u00e9 ☕","n":1}']);
  });

  it('returns null unless the body holds exactly `count` objects', () => {
    const body = JSON.stringify({ events });
    expect(split(body, events.length - 1)).toBeNull();
    expect(split(body, events.length + 1)).toBeNull();
    expect(split('{"events":[1,2]}', 2)).toBeNull();
    expect(split('{"events":[]}', 0)).toEqual([]);
  });

  it('returns null for any body but the plain shape', () => {
    const inner = events.map((e) => JSON.stringify(e)).join(',');
    for (const body of [
      `{"\\u0065vents":[${inner}]}`, // the member name escaped
      `{"events":[${inner}],"events":[${inner}]}`, // a second member
      `{"other":1,"events":[${inner}]}`,
      `\ufeff{"events":[${inner}]}`, // a byte-order mark
      `[{"events":[${inner}]}]`,
      `{"events":[${inner}]`,
      `{"events":[${inner}]}x`,
      `{"events":[${inner},]}`,
    ]) {
      expect(split(body), body.slice(0, 40)).toBeNull();
    }
  });

  it('returns null for a body that is not valid UTF-8', () => {
    const body = Buffer.from(JSON.stringify({ events: [decisionEvent(1)] }));
    const at = body.indexOf('gbdt-test');
    body[at] = 0xff;
    expect(eventSlices(body, 1)).toBeNull();
  });

  it('returns null for numbers JSON.parse would round differently from Postgres', () => {
    const withNumber = (n: string) =>
      `{"events":[${JSON.stringify(decisionEvent(1)).replace('"score":0.01', `"score":${n}`)}]}`;
    expect(withNumber('0.5')).toContain('"score":0.5');
    for (const ok of ['0.5', '1e-7', '2.5E+10', '-1e-290', `0.${'1'.repeat(30)}`]) {
      expect(split(withNumber(ok), 1), ok).not.toBeNull();
    }
    for (const refused of ['1e-400', '1E+291', '1e-0300', `0.${'0'.repeat(31)}1`]) {
      expect(split(withNumber(refused), 1), refused).toBeNull();
    }
  });
});
