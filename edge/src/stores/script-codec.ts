/**
 * Arguments and replies of the feature store script (feature-store-lua.ts), shared by both Redis
 * adapters. Pure: no I/O, runs on Workers and Node alike. Every reply is checked before use.
 */
import {
  CUSTOMER_STATE_LENGTH,
  CUSTOMER_VELOCITY_LENGTH,
  ENTITY_VELOCITY_LENGTH,
  keptVelocityOps,
  LIST_KINDS,
  N_VELOCITY,
  TERMINAL_STATE_LENGTH,
  customerOps,
  customerLabelOps,
  labelOps,
  newCustomerState,
  newTerminalState,
  terminalOps,
  type LabelBatchOutcome,
  type ListChange,
  type ListKind,
  type LabelOutcome,
  type StepOutcome,
  type StoreLabel,
  type StoreTransaction,
  type VelocityStateKind,
} from '@vigil/core';
import { FeatureStoreError } from './feature-store-error.js';
import { LIST_CURSOR, storedExpiry } from './list-changes.js';

/** What every call carries: where the keys live, their lifetimes, and the buffered answers. */
export interface CallHeader {
  readonly prefix: string;
  readonly recordTtlSec: number;
  readonly stateTtlSec: number;
  /** Lifetime of a device's or an IP's velocity state without a write, seconds. */
  readonly velocityTtlSec: number;
  /** Wall clock of the call, epoch ms: list items expire by it. */
  readonly nowMs: number;
  readonly answers: readonly BufferedAnswer[];
}

export interface BufferedAnswer {
  readonly transactionId: string;
  readonly answer: string;
}

/** A state's little-endian uint32 words. */
function wordsOfState(state: Float64Array): Uint32Array {
  const view = new DataView(new ArrayBuffer(state.length * 8));
  for (let i = 0; i < state.length; i++) view.setFloat64(i * 8, state[i]!, true);
  const words = new Uint32Array(state.length * 2);
  for (let i = 0; i < words.length; i++) words[i] = view.getUint32(i * 4, true);
  return words;
}

/** A state sent to the script: "count,index,word,index,word…" of its non-zero uint32 words. */
export function sparseWordsText(state: Float64Array): string {
  const words = wordsOfState(state);
  let out = String(words.length);
  for (let i = 0; i < words.length; i++) if (words[i] !== 0) out += `,${i},${words[i]}`;
  return out;
}

/** A state from its packed bytes (little-endian float64); undefined unless exactly `length`. */
export function stateOfBytes(bytes: Uint8Array, length: number): Float64Array | undefined {
  if (bytes.byteLength !== length * 8) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const state = new Float64Array(length);
  for (let i = 0; i < length; i++) state[i] = view.getFloat64(i * 8, true);
  return state;
}

/** The packed bytes of a state, as the script stores it (for tests and tools). */
export function bytesOfState(state: Float64Array): Uint8Array {
  const bytes = new Uint8Array(state.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < state.length; i++) view.setFloat64(i * 8, state[i]!, true);
  return bytes;
}

/**
 * An op program as the script reads it: comma-separated decimals. Number#toString is the shortest
 * string that reads back as the same double, and Lua's tonumber (strtod) reads it back exactly.
 */
export function opsText(program: Float64Array): string {
  let out = '';
  for (let i = 0; i < program.length; i++) {
    const x = program[i]!;
    if (!Number.isFinite(x)) throw new RangeError(`op program value ${x} at ${i} is not finite`);
    out += (i === 0 ? '' : ',') + (Object.is(x, -0) ? '-0' : String(x));
  }
  return out;
}

// Fresh states never change at run time: encode them once, on first use.
let fresh: readonly [string, string, string, string] | undefined;
function freshStates(): readonly [string, string, string, string] {
  return (fresh ??= [
    sparseWordsText(newCustomerState()),
    sparseWordsText(newTerminalState()),
    sparseWordsText(new Float64Array(ENTITY_VELOCITY_LENGTH)),
    sparseWordsText(new Float64Array(CUSTOMER_VELOCITY_LENGTH)),
  ]);
}

/** An optional op program: '' when there is none (the script then leaves that state alone). */
function optionalOpsText(program: Float64Array | undefined): string {
  return program ? opsText(program) : '';
}

function headerArgs(
  mode: 'step' | 'label' | 'flush' | 'lists' | 'cursor',
  h: CallHeader,
): string[] {
  const args = [
    mode,
    h.prefix,
    String(h.recordTtlSec),
    String(h.stateTtlSec),
    String(h.answers.length),
  ];
  for (const a of h.answers) args.push(a.transactionId, a.answer);
  return args;
}

/**
 * The list kinds a step reads, as the script takes them: one character per kind of LIST_KINDS,
 * in that order, '1' = read.
 */
export function listKindFlags(kinds: readonly ListKind[] = LIST_KINDS): string {
  let out = '';
  for (const k of LIST_KINDS) out += kinds.includes(k) ? '1' : '0';
  return out;
}

/** ARGV of a step: core's op programs per transaction, computed here, folded by the script. */
export function stepArgs(
  h: CallHeader,
  txs: readonly StoreTransaction[],
  listKinds?: readonly ListKind[],
  velocity?: readonly VelocityStateKind[],
): string[] {
  const [customer, terminal, entityVelocity, customerVelocity] = freshStates();
  const args = headerArgs('step', h);
  args.push(
    customer,
    terminal,
    entityVelocity,
    customerVelocity,
    String(h.velocityTtlSec),
    String(h.nowMs),
    listKindFlags(listKinds),
    String(txs.length),
  );
  for (const tx of txs) {
    // A state not kept has no program: the script then neither reads nor writes it.
    const [device, ip, card] = keptVelocityOps(tx, velocity);
    args.push(
      tx.transactionId,
      tx.customerId,
      tx.terminalId,
      // The payload a repeat is compared with, as the record keeps it: Number#toString gives
      // equal numbers equal strings, so the script compares text, exactly.
      String(tx.timeSec),
      String(tx.amount),
      opsText(customerOps(tx)),
      opsText(terminalOps(tx)),
      opsText(labelOps(tx.timeSec, 1)),
      opsText(labelOps(tx.timeSec, -1)),
      opsText(customerLabelOps(tx.timeSec, 1)),
      opsText(customerLabelOps(tx.timeSec, -1)),
      // Absent fields are '' (core's programs treat an empty value as absent too).
      tx.deviceId ?? '',
      tx.ip ?? '',
      tx.country ?? '',
      optionalOpsText(device),
      optionalOpsText(ip),
      optionalOpsText(card),
    );
  }
  return args;
}

/** ARGV of list changes (checked by the caller): applied in order by the script. */
export function listArgs(
  h: CallHeader,
  changes: readonly ListChange[],
  cursor: string | undefined,
): string[] {
  const args = headerArgs('lists', h);
  args.push(String(h.nowMs), String(changes.length));
  for (const c of changes) {
    args.push(c.op === 'add' ? 'a' : 'r', c.kind, c.value, c.list, String(storedExpiry(c)));
  }
  // The sync cursor the changes bring the lists to ('' = none): kept beside them, never lowered.
  args.push(cursor ?? '');
  return args;
}

/** ARGV of a read of the lists' sync cursor. */
export function listCursorArgs(h: CallHeader): string[] {
  return headerArgs('cursor', h);
}

/** Checks a cursor reply (bytes, like every string the script returns): '' (none held) or digits. */
export function parseListCursorReply(reply: unknown): string | null {
  const text = reply instanceof Uint8Array && reply.byteLength <= 32 ? utf8.decode(reply) : null;
  if (text === '') return null;
  if (text !== null && LIST_CURSOR.test(text)) return text;
  throw badReply(`cursor expected digits, got ${describe(reply)}`);
}

/** Checks a list-changes reply: the number of changes applied. */
export function parseListReply(reply: unknown, n: number): void {
  if (reply !== n) throw badReply(`lists expected ${n}, got ${describe(reply)}`);
}

/**
 * ARGV of a label batch. The verdict's time goes as the decimal digits of its epoch µs, which the
 * script keeps in the record as given and compares as numbers (exact: below 2^53).
 */
export function labelArgs(h: CallHeader, labels: readonly StoreLabel[]): string[] {
  const args = headerArgs('label', h);
  args.push(String(labels.length));
  for (const l of labels) {
    if (!Number.isSafeInteger(l.timeUs) || l.timeUs < 0) {
      throw new RangeError(`label time ${l.timeUs} is not a whole number of µs since 1970`);
    }
    args.push(l.transactionId, l.label === 'fraud' ? 'f' : 'l', String(l.timeUs));
  }
  return args;
}

/** ARGV of a call that only saves the buffered answers. */
export function flushArgs(h: CallHeader): string[] {
  return headerArgs('flush', h);
}

function badReply(what: string): FeatureStoreError {
  return new FeatureStoreError('FEATURE_STORE_BAD_REPLY', `feature store script: ${what}`);
}

/**
 * Replies as the adapters hand them over: bulk strings as bytes (binary-safe), integers as
 * numbers, nil as null, arrays as arrays.
 */
export type ScriptReply = Uint8Array | number | null | readonly ScriptReply[];

const utf8 = new TextDecoder();

/** A short status word of a reply ('f', 'ok', …), or undefined. */
function word(x: unknown): string | undefined {
  return x instanceof Uint8Array && x.byteLength <= 8 ? String.fromCharCode(...x) : undefined;
}

const CONFLICT: StepOutcome = { kind: 'conflict' };
const SKIPPED: StepOutcome = { kind: 'skipped' };

/**
 * Checks and decodes a step reply: one outcome per transaction, in order. A refused call is all
 * `conflict` and `skipped`, with at least one conflict; anything else mixed with them is malformed.
 */
export function parseStepReply(reply: unknown, n: number): StepOutcome[] {
  if (!Array.isArray(reply) || reply.length !== n) {
    throw badReply(`step expected ${n} outcomes, got ${describe(reply)}`);
  }
  const out = reply.map(stepOutcome);
  let refused = 0;
  let conflicts = 0;
  for (const o of out) {
    if (o.kind === 'conflict') conflicts++;
    if (o.kind === 'conflict' || o.kind === 'skipped') refused++;
  }
  if (refused > 0 && (refused !== n || conflicts === 0)) {
    throw badReply(`step mixes refused and applied outcomes: ${describe(reply)}`);
  }
  return out;
}

/** One outcome of a step reply. */
function stepOutcome(item: unknown, i: number): StepOutcome {
  if (Array.isArray(item)) {
    const [kind, a, b, v, l] = item as unknown[];
    switch (word(kind)) {
      case 'f': {
        const customer = a instanceof Uint8Array && stateOfBytes(a, CUSTOMER_STATE_LENGTH);
        const terminal = b instanceof Uint8Array && stateOfBytes(b, TERMINAL_STATE_LENGTH);
        const velocity = velocityOf(v);
        const lists = listNamesOf(l);
        if (customer && terminal && velocity && lists) {
          return { kind: 'fresh', customer, terminal, velocity, lists };
        }
        break;
      }
      case 'r':
        if (a instanceof Uint8Array) return { kind: 'replay', answer: utf8.decode(a) };
        break;
      case 'p':
        return { kind: 'pending' };
      case 'c':
        return CONFLICT;
      case 's':
        return SKIPPED;
    }
  }
  throw badReply(`step outcome ${i} is malformed: ${describe(item)}`);
}

/** The velocity counts of a fresh outcome: N_VELOCITY integers ≥ 0. */
function velocityOf(x: unknown): Float64Array | undefined {
  if (!Array.isArray(x) || x.length !== N_VELOCITY) return undefined;
  if (!x.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) return undefined;
  return Float64Array.from(x as number[]);
}

/** The list names of a fresh outcome: bulk strings. */
function listNamesOf(x: unknown): string[] | undefined {
  if (!Array.isArray(x)) return undefined;
  const names: string[] = [];
  for (const n of x) {
    if (!(n instanceof Uint8Array)) return undefined;
    names.push(utf8.decode(n));
  }
  return names;
}

/** Checks and decodes a label reply. */
export function parseLabelReply(reply: unknown, n: number): LabelBatchOutcome {
  if (Array.isArray(reply)) {
    const [status, ...rest] = reply as unknown[];
    const ints = rest.every((x) => Number.isInteger(x)) ? (rest as number[]) : undefined;
    const s = word(status);
    if (s === 'ok' && ints && ints.length === n && ints.every((x) => x === 0 || x === 1)) {
      return {
        ok: true,
        outcomes: ints.map((x): LabelOutcome => (x === 1 ? 'applied' : 'unchanged')),
      };
    }
    if (s === 'unknown' && ints && ints.length > 0 && ints.every((x) => x >= 0 && x < n)) {
      return { ok: false, unknown: ints };
    }
  }
  throw badReply(`label expected ${n} outcomes, got ${describe(reply)}`);
}

/** Checks a flush reply: the number of answers saved. */
export function parseFlushReply(reply: unknown, n: number): void {
  if (reply !== n) throw badReply(`flush expected ${n}, got ${describe(reply)}`);
}

/** A short rendering of a reply for error messages (bytes as their length and first chars). */
function describe(x: unknown): string {
  const render = (v: unknown): string =>
    v instanceof Uint8Array
      ? `<${v.byteLength} bytes ${JSON.stringify(utf8.decode(v.subarray(0, 12)))}>`
      : Array.isArray(v)
        ? `[${v.map(render).join(', ')}]`
        : (JSON.stringify(v) ?? String(v));
  const text = render(x);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
