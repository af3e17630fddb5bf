/**
 * A user's labelled history in columns: read from an NDJSON file line by line (each line checked
 * with core's schema, the API's own), or from the backplane's database. Rows end up in event-time
 * order, which the replay needs.
 *
 * Memory: the file is streamed, never held as text or as row objects, but its rows are kept in
 * typed columns (about 35 bytes a row, plus the ids' maps) and, later, their features (96 bytes a
 * row): sorting and replay are in memory, so files are limited to {@link MAX_LINES} lines (about
 * 1 GB of heap at the limit).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { epochSeconds, validateLabelledTransaction } from '@vigil/core';
import { eventTimeOrder } from '../pipeline/backtest.js';
import type { ReplayInput } from '../pipeline/replay-features.js';
import { TrainingDataError } from './training-data-error.js';

/** Most lines `train --in` takes (see the memory note above). */
export const MAX_LINES = 5_000_000;

export interface LabelledHistory extends ReplayInput {
  /** Distinct customers and terminals. */
  readonly customers: number;
  readonly terminals: number;
  /** True when the input was not in event-time order and was sorted here (stable). */
  readonly sorted: boolean;
}

/** Growable columns: doubling typed arrays, so a million rows cost a few reallocations. */
class Columns {
  length = 0;
  timeSec = new Float64Array(1024);
  labelTimeSec = new Float64Array(1024);
  customer = new Int32Array(1024);
  terminal = new Int32Array(1024);
  amount = new Float64Array(1024);
  isFraud = new Uint8Array(1024);

  next(): number {
    if (this.length === this.timeSec.length) {
      const grow = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.timeSec = grow(this.timeSec);
      this.labelTimeSec = grow(this.labelTimeSec);
      this.customer = grow(this.customer);
      this.terminal = grow(this.terminal);
      this.amount = grow(this.amount);
      this.isFraud = grow(this.isFraud);
    }
    return this.length++;
  }
}

/** Dense index of each distinct id, in order of first appearance. */
function idIndex(): (id: string) => number {
  const ids = new Map<string, number>();
  return (id) => {
    let i = ids.get(id);
    if (i === undefined) ids.set(id, (i = ids.size));
    return i;
  };
}

/** Builds a history row by row; {@link finish} sorts it into event-time order when needed. */
export class HistoryBuilder {
  private readonly cols = new Columns();
  private readonly customerIndex = idIndex();
  private readonly terminalIndex = idIndex();
  private nCustomers = 0;
  private nTerminals = 0;

  get length(): number {
    return this.cols.length;
  }

  add(row: {
    timeSec: number;
    customerId: string;
    terminalId: string;
    amount: number;
    isFraud: boolean;
    /** NaN when unknown. */
    labelTimeSec: number;
  }): void {
    const c = this.cols;
    const i = c.next();
    c.timeSec[i] = row.timeSec;
    c.labelTimeSec[i] = row.labelTimeSec;
    c.customer[i] = this.customerIndex(row.customerId);
    c.terminal[i] = this.terminalIndex(row.terminalId);
    this.nCustomers = Math.max(this.nCustomers, c.customer[i] + 1);
    this.nTerminals = Math.max(this.nTerminals, c.terminal[i] + 1);
    c.amount[i] = row.amount;
    c.isFraud[i] = row.isFraud ? 1 : 0;
  }

  finish(): LabelledHistory {
    const c = this.cols;
    const n = c.length;
    const order = eventTimeOrder(c.timeSec.subarray(0, n));
    let sorted = false;
    for (let k = 0; k < n && !sorted; k++) sorted = order[k] !== k;
    const pick = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
      if (!sorted) return a.slice(0, n) as T;
      const out = new (a.constructor as new (n: number) => T)(n);
      for (let k = 0; k < n; k++) out[k] = a[order[k]!]!;
      return out;
    };
    return {
      length: n,
      timeSec: pick(c.timeSec),
      labelTimeSec: pick(c.labelTimeSec),
      customer: pick(c.customer),
      terminal: pick(c.terminal),
      amount: pick(c.amount),
      isFraud: pick(c.isFraud),
      customers: this.nCustomers,
      terminals: this.nTerminals,
      sorted,
    };
  }
}

/**
 * Read a labelled NDJSON file (blank lines skipped). The first bad line throws a
 * {@link TrainingDataError} naming the file, the line number and each field by JSON Pointer.
 */
export async function readLabelledHistory(path: string): Promise<LabelledHistory> {
  const builder = new HistoryBuilder();
  const seen = new Set<string>();
  let lineNo = 0;
  const fail = (message: string): never => {
    throw new TrainingDataError(`${path}:${lineNo}: ${message}`);
  };
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  // A missing or unreadable file is the user's input too: same exit code, plain message.
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', (e) => reject(new TrainingDataError(`cannot read ${path}: ${e.message}`)));
  });
  await opened;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lineNo++;
    if (line.trim() === '') continue;
    if (builder.length >= MAX_LINES)
      fail(
        `more than ${MAX_LINES.toLocaleString('en-US')} transactions: train holds them in memory`,
      );
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      fail('not valid JSON');
    }
    const r = validateLabelledTransaction(value);
    if (!r.ok) fail(r.issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; '));
    else {
      const tx = r.value;
      if (seen.has(tx.transaction_id))
        fail(`/transaction_id: ${tx.transaction_id} appears on an earlier line`);
      seen.add(tx.transaction_id);
      builder.add({
        timeSec: epochSeconds(tx.timestamp),
        customerId: tx.customer_id,
        terminalId: tx.terminal_id,
        amount: tx.amount,
        isFraud: tx.is_fraud === 1 || tx.is_fraud === true,
        labelTimeSec: tx.label_time === undefined ? NaN : epochSeconds(tx.label_time),
      });
    }
  }
  return builder.finish();
}
