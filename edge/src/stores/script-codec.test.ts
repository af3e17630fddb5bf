import {
  CUSTOMER_STATE_LENGTH,
  customerOps,
  newCustomerState,
  newTerminalState,
  updateCustomer,
} from '@vigil/core';
import { describe, expect, it } from 'vitest';
import {
  bytesOfState,
  labelArgs,
  opsText,
  parseLabelReply,
  parseStepReply,
  sparseWordsText,
  stateOfBytes,
  stepArgs,
} from './script-codec.js';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('script codec', () => {
  it('writes op programs as decimals that read back as the same doubles', () => {
    const tx = { timeSec: 1_717_200_123, amount: 0.1 + 0.2 };
    const text = opsText(customerOps(tx));
    expect(text.split(',').map(Number)).toEqual(Array.from(customerOps(tx)));
    expect(opsText(Float64Array.of(-0, 1e21, 5e-324))).toBe('-0,1e+21,5e-324');
    expect(() => opsText(Float64Array.of(Number.POSITIVE_INFINITY))).toThrow(RangeError);
  });

  it('lists only the non-zero words of a fresh state', () => {
    // -Infinity in the header, EMPTY_DAY (-1e9) tags: one non-zero high word each.
    const text = sparseWordsText(newCustomerState());
    const [count, ...pairs] = text.split(',').map(Number);
    expect(count).toBe(CUSTOMER_STATE_LENGTH * 2);
    expect(pairs.length).toBe(2 * (1 + 30));
    const words = new Uint32Array(count!);
    for (let k = 0; k < pairs.length; k += 2) words[pairs[k]!] = pairs[k + 1]!;
    expect(new Float64Array(words.buffer)).toEqual(newCustomerState());
  });

  it('reads packed states from any byte offset, and only of the right length', () => {
    const s = newCustomerState();
    updateCustomer(s, { timeSec: 1_717_200_123, amount: 57.16 });
    const padded = new Uint8Array(3 + s.length * 8);
    padded.set(bytesOfState(s), 3);
    expect(stateOfBytes(padded.subarray(3), CUSTOMER_STATE_LENGTH)).toEqual(s);
    expect(stateOfBytes(padded, CUSTOMER_STATE_LENGTH)).toBeUndefined();
  });

  it('decodes step replies and refuses malformed ones', () => {
    const c = bytesOfState(newCustomerState());
    const t = bytesOfState(newTerminalState());
    const v = [1, 2, 0, 0, 3, 1];
    expect(
      parseStepReply(
        [
          [ascii('f'), c, t, v, [ascii('blocked_customers'), ascii('vip')]],
          [ascii('r'), ascii('{"a":"ü"}')],
          [ascii('p')],
        ],
        3,
      ),
    ).toEqual([
      {
        kind: 'fresh',
        customer: newCustomerState(),
        terminal: newTerminalState(),
        velocity: Float64Array.from(v),
        lists: ['blocked_customers', 'vip'],
      },
      { kind: 'replay', answer: '{"a":"ü"}' },
      { kind: 'pending' },
    ]);
    expect(() => parseStepReply([[ascii('f'), t, c, v, []]], 1)).toThrow(/outcome 0 is malformed/);
    // Velocity: exactly six counts, whole and ≥ 0; lists: bulk strings only.
    for (const bad of [
      [1, 2, 3, 4, 5],
      [1, 2, 3, 4, 5, -1],
      [1, 2, 3, 4, 5, 0.5],
    ]) {
      expect(() => parseStepReply([[ascii('f'), c, t, bad, []]], 1)).toThrow(/malformed/);
    }
    expect(() => parseStepReply([[ascii('f'), c, t, v, [7]]], 1)).toThrow(/malformed/);
    expect(() => parseStepReply([[ascii('f'), c, t]], 1)).toThrow(/malformed/);
    expect(() => parseStepReply([[ascii('p')]], 2)).toThrow(/expected 2 outcomes/);
    expect(() => parseStepReply([['p']], 1)).toThrow(/malformed/);
  });

  it('decodes a refused step, and refuses one that is half applied', () => {
    expect(parseStepReply([[ascii('s')], [ascii('c')], [ascii('c')]], 3)).toEqual([
      { kind: 'skipped' },
      { kind: 'conflict' },
      { kind: 'conflict' },
    ]);
    const c = bytesOfState(newCustomerState());
    const t = bytesOfState(newTerminalState());
    const v = [0, 0, 0, 0, 0, 0];
    expect(() => parseStepReply([[ascii('f'), c, t, v, []], [ascii('c')]], 2)).toThrow(/mixes/);
    expect(() => parseStepReply([[ascii('p')], [ascii('s')]], 2)).toThrow(/mixes/);
    expect(() => parseStepReply([[ascii('s')]], 1)).toThrow(/mixes/);
  });

  it('decodes label replies and refuses malformed ones', () => {
    expect(parseLabelReply([ascii('ok'), 1, 0], 2)).toEqual({
      ok: true,
      outcomes: ['applied', 'unchanged'],
    });
    expect(parseLabelReply([ascii('unknown'), 0, 2], 3)).toEqual({ ok: false, unknown: [0, 2] });
    expect(() => parseLabelReply([ascii('ok'), 1], 2)).toThrow(/label expected 2/);
    expect(() => parseLabelReply([ascii('unknown'), 5], 3)).toThrow(/label expected 3/);
    expect(() => parseLabelReply([ascii('ok'), 2], 1)).toThrow(/label expected 1/);
  });

  it('puts the buffered answers first and seventeen arguments per transaction', () => {
    const tx = { transactionId: 'a', customerId: 'c', terminalId: 't', timeSec: 0.5, amount: 1e21 };
    const args = stepArgs(
      {
        prefix: 'p:',
        recordTtlSec: 9,
        stateTtlSec: 8,
        velocityTtlSec: 7,
        nowMs: 6,
        answers: [{ transactionId: 'z', answer: 'Z' }],
      },
      [tx, { ...tx, deviceId: 'd', country: 'FR' }],
      ['country', 'terminal_id'],
    );
    expect(args.slice(0, 7)).toEqual(['step', 'p:', '9', '8', '1', 'z', 'Z']);
    // Four fresh states (the velocity ones all zeros: their word count only), TTL, clock, the
    // list kinds to read (LIST_KINDS order), N.
    expect(args.slice(9, 15)).toEqual(['130', '130', '7', '6', '01001', '2']);
    expect(args.length).toBe(7 + 8 + 2 * 17);
    // The payload, written as the record keeps it: equal numbers, equal strings.
    expect(args.slice(15, 20)).toEqual(['a', 'c', 't', '0.5', '1e+21']);
    // Absent fields and the programs of absent states are empty strings.
    expect(args.slice(26, 32)).toEqual(['', '', '', '', '', '']);
    const second = args.slice(32);
    expect(second.slice(11, 14)).toEqual(['d', '', 'FR']);
    expect(second[14]).not.toBe('');
    expect(second[15]).toBe('');
    expect(second[16]).not.toBe('');
    expect(
      stepArgs(
        { prefix: 'p:', recordTtlSec: 9, stateTtlSec: 8, velocityTtlSec: 7, nowMs: 6, answers: [] },
        [{ ...tx, amount: -0 }],
      ).slice(11, 16),
    ).toEqual(['11111', '1', 'a', 'c', 't']);
    expect(
      stepArgs(
        { prefix: 'p:', recordTtlSec: 9, stateTtlSec: 8, velocityTtlSec: 7, nowMs: 6, answers: [] },
        [{ ...tx, amount: -0 }],
        [],
      ).slice(11, 17),
    ).toEqual(['00000', '1', 'a', 'c', 't', '0.5']);
    expect(
      stepArgs(
        { prefix: 'p:', recordTtlSec: 9, stateTtlSec: 8, velocityTtlSec: 7, nowMs: 6, answers: [] },
        [{ ...tx, amount: -0 }],
      )[17],
    ).toBe('0');
  });

  it('sends each verdict with its time as the digits of its epoch µs, and refuses another time', () => {
    const h = {
      prefix: 'p:',
      recordTtlSec: 9,
      stateTtlSec: 8,
      velocityTtlSec: 7,
      nowMs: 6,
      answers: [],
    };
    const t = Date.UTC(2026, 11, 4, 12) * 1000;
    expect(
      labelArgs(h, [
        { transactionId: 'a', label: 'fraud', timeUs: t },
        { transactionId: 'b', label: 'legitimate', timeUs: 0 },
      ]),
    ).toEqual(['label', 'p:', '9', '8', '0', '2', 'a', 'f', String(t), 'b', 'l', '0']);
    // The script compares the digits as numbers: exact only for whole µs below 2^53.
    for (const timeUs of [1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => labelArgs(h, [{ transactionId: 'a', label: 'fraud', timeUs }])).toThrow(
        RangeError,
      );
    }
  });
});
