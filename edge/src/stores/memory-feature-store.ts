/**
 * The embedded feature store: states, transaction records and saved answers in Maps, for
 * `npm run start:edge`, tests and single-process deployments. It runs core's state operations
 * directly, so it yields exactly the states the Redis stores (which run the same ops in Lua) do.
 *
 * Retention is bounded by event time, not by count: whenever the newest event day seen advances,
 * records (with their answers and labels) older than `retentionDays` behind it are dropped, and so
 * are customer and terminal states whose newest activity is older than that. Dropping a state is
 * exact, not an approximation, for any transaction up to `retentionDays − 37` days behind the
 * newest one: no feature window reaches back further than 37 days (30-day terminal windows ending
 * 7 days back; the customer gap is capped at 30 days), so a state that old reads as empty anyway.
 * Consequences, documented in edge/README.md: a transaction id is idempotent for `retentionDays`
 * of event time, a label for an older transaction is answered as unknown, and a far-future
 * timestamp expires everything older (event time, not the wall clock, drives the store).
 *
 * Persistence (the `journal` option, feature-store-journal.ts): the same store, with every call's
 * changes written to a journal — SQLite in the FeatureState Durable Object, LMDB on Node — before
 * its outcome is returned, and everything read back by `restore` at the next start. The logic
 * stays here, once; without a journal the hot path pays one untaken branch per call.
 */
import {
  applyCustomerLabel,
  applyLabel,
  applyOps,
  CUSTOMER_STATE_LENGTH,
  CUSTOMER_VELOCITY_LENGTH,
  ENTITY_VELOCITY_LENGTH,
  keptVelocityOps,
  LIST_KINDS,
  newVelocity,
  VELOCITY_MAX_WINDOW_S,
  VELOCITY_NEWEST,
  type ListChange,
  type ListKind,
  type StepOptions,
  type VelocityStateKind,
  dayOf,
  newCustomerState,
  newTerminalState,
  TERMINAL_DAYS,
  TERMINAL_HEADER,
  TERMINAL_SLOT,
  TERMINAL_STATE_LENGTH,
  updateCustomer,
  updateTerminal,
  type CustomerState,
  type FeatureStore,
  type LabelBatchOutcome,
  type LabelOutcome,
  type StepOutcome,
  type StoreLabel,
  type StoreTransaction,
  type TerminalState,
  samePayload,
  UNKNOWN_VERDICT_TIME_US,
  verdictSupersedes,
} from '@vigil/core';
import {
  checkJournalRecord,
  stateOf,
  type FeatureStoreJournal,
  type JournalChanges,
  type JournalEntry,
  type JournalRecord,
  type JournalSnapshot,
  type RestoreReport,
} from './feature-store-journal.js';
import {
  checkListChanges,
  checkListCursor,
  laterCursor,
  listItemLive,
  listValues,
  storedExpiry,
} from './list-changes.js';

/** Default retention: the 37-day feature reach plus 8 days for late events and late feedback. */
export const DEFAULT_RETENTION_DAYS = 45;

const DAY_S = 86_400;
const NO_LABEL = 0;
const FRAUD = 1;
const LEGITIMATE = 2;
type LabelState = typeof NO_LABEL | typeof FRAUD | typeof LEGITIMATE;

/** What the store remembers of a scored transaction. */
class TxRecord {
  label: LabelState = NO_LABEL;
  /** The time of the verdict in force (epoch µs); UNKNOWN_VERDICT_TIME_US when not kept. */
  labelTimeUs: number = UNKNOWN_VERDICT_TIME_US;
  answer: string | undefined = undefined;
  constructor(
    readonly customerId: string,
    readonly terminalId: string,
    readonly timeSec: number,
    readonly amount: number,
    readonly day: number,
  ) {}
}

export interface MemoryFeatureStoreOptions {
  /** Days of event time kept behind the newest event seen (≥ 38; default 45). */
  readonly retentionDays?: number;
  /** Where to persist every call's changes before answering; default none (memory only). */
  readonly journal?: FeatureStoreJournal;
  /** Wall clock for list expiry, epoch ms (tests move it). Default Date.now. */
  readonly now?: () => number;
}

/** Ids a call changed (or dropped), not yet written to the journal. */
interface Dirty {
  readonly customers: Set<string>;
  readonly terminals: Set<string>;
  readonly records: Set<string>;
  /** Velocity states, as `d:{device_id}`, `ip:{ip}`, `cv:{customer_id}`. */
  readonly velocity: Set<string>;
}

/** Sizes, for tests and diagnostics. */
export interface MemoryStoreStats {
  readonly customers: number;
  readonly terminals: number;
  readonly records: number;
  /** Velocity states: devices, IPs and customers. */
  readonly velocity: number;
  /** Values on at least one list. */
  readonly listedValues: number;
}

/** Newest day a terminal state holds (its ring's largest day tag). */
function newestTerminalDay(t: TerminalState): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (let d = 0; d < TERMINAL_DAYS; d++) {
    const tag = t[TERMINAL_HEADER + d * TERMINAL_SLOT]!;
    if (tag > newest) newest = tag;
  }
  return newest;
}

/** The in-memory FeatureStore. Every method is synchronous inside, hence atomic. */
export class MemoryFeatureStore implements FeatureStore {
  private readonly customers = new Map<string, CustomerState>();
  private readonly terminals = new Map<string, TerminalState>();
  private readonly records = new Map<string, TxRecord>();
  /** Velocity states (core's velocity-state.ts) by device, IP and customer; journalled. */
  private readonly devices = new Map<string, Float64Array>();
  private readonly ips = new Map<string, Float64Array>();
  private readonly customerVelocity = new Map<string, Float64Array>();
  /**
   * List membership: `kind:value` → list name → expiry (epoch ms, 0 = never), as the Redis hash
   * `vigil:l:{kind}:{value}`. Not journalled: the edge re-syncs every list from the backplane at
   * start (a null cursor).
   */
  private readonly lists = new Map<string, Map<string, number>>();
  /** The sync cursor of the lists held (listCursor); null until the first changes. */
  private cursor: string | null = null;
  private readonly now: () => number;
  /** Record ids by event day, so that expiry visits only what expires. */
  private readonly byDay = new Map<number, string[]>();
  private readonly retentionDays: number;
  private newestDay = Number.NEGATIVE_INFINITY;
  /** Reused engine event: the fold reads only timeSec and amount. */
  private readonly event = { timeSec: 0, amount: 0 };
  private readonly journal: FeatureStoreJournal | undefined;
  /** Changes not written yet: the current call's, plus those of a write that failed. */
  private dirty: Dirty | undefined;
  /** The last journal write, settled either way: what an answer that writes nothing waits for. */
  private lastWrite: Promise<void> = Promise.resolve();

  constructor(options: MemoryFeatureStoreOptions = {}) {
    const r = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
    if (!Number.isInteger(r) || r <= TERMINAL_DAYS) {
      throw new RangeError(`memory store: retentionDays must be an integer > ${TERMINAL_DAYS}`);
    }
    this.retentionDays = r;
    this.journal = options.journal;
    this.now = options.now ?? Date.now;
  }

  /**
   * Load what a journal holds into this (empty) store, at start-up. Rows that are not what this
   * code writes are left out and counted; the newest event day is the newest record's.
   */
  restore(snapshot: JournalSnapshot): RestoreReport {
    if (this.records.size + this.customers.size + this.terminals.size > 0) {
      throw new Error('memory store: restore into a store that is not empty');
    }
    let skipped = 0;
    for (const [id, bytes] of snapshot.customers) {
      const state = stateOf(bytes, CUSTOMER_STATE_LENGTH);
      if (state) this.customers.set(id, state);
      else skipped++;
    }
    for (const [id, bytes] of snapshot.terminals) {
      const state = stateOf(bytes, TERMINAL_STATE_LENGTH);
      if (state) this.terminals.set(id, state);
      else skipped++;
    }
    for (const [key, bytes] of snapshot.velocity ?? []) {
      const [map, length] = this.velocityMapOf(key);
      const state = map && stateOf(bytes, length);
      if (map && state) map.set(key.slice(key.indexOf(':') + 1), state);
      else skipped++;
    }
    for (const [id, row] of snapshot.records) {
      const r = checkJournalRecord(row);
      if (!r) {
        skipped++;
        continue;
      }
      const day = dayOf(r.timeSec);
      const rec = new TxRecord(r.customerId, r.terminalId, r.timeSec, r.amount, day);
      rec.label = r.label;
      // A record journalled before verdict times were kept: its verdict predates every dated one.
      rec.labelTimeUs = r.labelTimeUs ?? UNKNOWN_VERDICT_TIME_US;
      if (r.answer !== null) rec.answer = r.answer;
      this.records.set(id, rec);
      let ids = this.byDay.get(day);
      if (!ids) this.byDay.set(day, (ids = []));
      ids.push(id);
      if (day > this.newestDay) this.newestDay = day;
    }
    return {
      customers: this.customers.size,
      terminals: this.terminals.size,
      records: this.records.size,
      skipped,
    };
  }

  step(txs: readonly StoreTransaction[], options?: StepOptions): Promise<StepOutcome[]> {
    const kinds = options?.listKinds ?? LIST_KINDS;
    const refused = this.conflicts(txs);
    if (refused) return this.settle(refused);
    const d = this.journal ? (this.dirty ??= newDirty()) : undefined;
    const out: StepOutcome[] = new Array<StepOutcome>(txs.length);
    // The states handed out, as views of one slab per kind: two allocations per call, not 2n.
    const cBefore = new Float64Array(txs.length * CUSTOMER_STATE_LENGTH);
    const tBefore = new Float64Array(txs.length * TERMINAL_STATE_LENGTH);
    let newest = this.newestDay;
    // Lists change only between calls: one clock reading for the call, as the Lua script does.
    const nowMs = this.now();
    for (let i = 0; i < txs.length; i++) {
      const tx = txs[i]!;
      const seen = this.records.get(tx.transactionId);
      if (seen) {
        out[i] = seen.answer === undefined ? PENDING : { kind: 'replay', answer: seen.answer };
        continue;
      }
      let customer = this.customers.get(tx.customerId);
      if (!customer) this.customers.set(tx.customerId, (customer = newCustomerState()));
      let terminal = this.terminals.get(tx.terminalId);
      if (!terminal) this.terminals.set(tx.terminalId, (terminal = newTerminalState()));
      // The port hands out the states before the transaction; the live ones are folded in place.
      const c = cBefore.subarray(i * CUSTOMER_STATE_LENGTH, (i + 1) * CUSTOMER_STATE_LENGTH);
      const t = tBefore.subarray(i * TERMINAL_STATE_LENGTH, (i + 1) * TERMINAL_STATE_LENGTH);
      c.set(customer);
      t.set(terminal);
      out[i] = {
        kind: 'fresh',
        customer: c,
        terminal: t,
        velocity: this.velocityOf(tx, options?.velocity, d),
        lists: this.listsOf(tx, nowMs, kinds),
      };
      this.event.timeSec = tx.timeSec;
      this.event.amount = tx.amount;
      updateCustomer(customer, this.event);
      updateTerminal(terminal, this.event);
      if (d) {
        d.customers.add(tx.customerId);
        d.terminals.add(tx.terminalId);
        d.records.add(tx.transactionId);
      }
      const day = dayOf(tx.timeSec);
      this.records.set(
        tx.transactionId,
        new TxRecord(tx.customerId, tx.terminalId, tx.timeSec, tx.amount, day),
      );
      let ids = this.byDay.get(day);
      if (!ids) this.byDay.set(day, (ids = []));
      ids.push(tx.transactionId);
      if (day > newest) newest = day;
    }
    if (newest > this.newestDay) {
      this.newestDay = newest;
      this.expire();
    }
    return this.settle(out);
  }

  /** Folds the transaction into its velocity states; the counters, this transaction included. */
  private velocityOf(
    tx: StoreTransaction,
    keep: readonly VelocityStateKind[] | undefined,
    dirty: Dirty | undefined,
  ): Float64Array {
    const out = newVelocity();
    const [d, ip, c] = keptVelocityOps(tx, keep);
    if (d) {
      applyOps(velocityState(this.devices, tx.deviceId!, ENTITY_VELOCITY_LENGTH), d, out);
      dirty?.velocity.add(`d:${tx.deviceId!}`);
    }
    if (ip) {
      applyOps(velocityState(this.ips, tx.ip!, ENTITY_VELOCITY_LENGTH), ip, out);
      dirty?.velocity.add(`ip:${tx.ip!}`);
    }
    if (c) {
      applyOps(
        velocityState(this.customerVelocity, tx.customerId, CUSTOMER_VELOCITY_LENGTH),
        c,
        out,
      );
      dirty?.velocity.add(`cv:${tx.customerId}`);
    }
    return out;
  }

  /** The Map and state length of a journal key `d:…`, `ip:…` or `cv:…` (no Map: not one). */
  private velocityMapOf(key: string): [Map<string, Float64Array> | undefined, number] {
    const kind = key.slice(0, key.indexOf(':'));
    if (kind === 'd') return [this.devices, ENTITY_VELOCITY_LENGTH];
    if (kind === 'ip') return [this.ips, ENTITY_VELOCITY_LENGTH];
    if (kind === 'cv') return [this.customerVelocity, CUSTOMER_VELOCITY_LENGTH];
    return [undefined, 0];
  }

  /** Names of the unexpired lists of these kinds one of the transaction's values is on. */
  private listsOf(tx: StoreTransaction, nowMs: number, kinds: readonly ListKind[]): string[] {
    if (this.lists.size === 0 || kinds.length === 0) return NO_LISTS;
    const values = listValues(tx);
    let names: string[] | undefined;
    for (const kind of kinds) {
      const value = values[kind];
      if (!value) continue;
      const on = this.lists.get(`${kind}:${value}`);
      if (!on) continue;
      for (const [name, expiry] of on) {
        if (listItemLive(expiry, nowMs)) (names ??= []).push(name);
      }
    }
    return names ?? NO_LISTS;
  }

  /**
   * Applies list changes in order (idempotent: an add replaces the expiry, a remove of an absent
   * item does nothing). Expired items of a value are dropped when that value is written, as the
   * Redis stores clean a hash on write. Not journalled (see `lists`).
   */
  listCursor(): Promise<string | null> {
    return this.settle(this.cursor);
  }

  applyListChanges(changes: readonly ListChange[], cursor?: string): Promise<void> {
    try {
      checkListChanges(changes);
      if (cursor !== undefined) checkListCursor(cursor);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const nowMs = this.now();
    for (const ch of changes) {
      const key = `${ch.kind}:${ch.value}`;
      let on = this.lists.get(key);
      if (ch.op === 'add') {
        if (!on) this.lists.set(key, (on = new Map<string, number>()));
        on.set(ch.list, storedExpiry(ch));
      } else {
        on?.delete(ch.list);
      }
      if (on) {
        for (const [name, expiry] of on) if (!listItemLive(expiry, nowMs)) on.delete(name);
        if (on.size === 0) this.lists.delete(key);
      }
    }
    if (cursor !== undefined && laterCursor(cursor, this.cursor)) this.cursor = cursor;
    return this.settle(undefined);
  }

  /**
   * The outcomes of a call that reuses an id with another payload — against its record, or
   * against its first occurrence in this call — or undefined if none does. Checked before
   * anything is folded, so a refused call changes nothing.
   */
  private conflicts(txs: readonly StoreTransaction[]): StepOutcome[] | undefined {
    let out: StepOutcome[] | undefined;
    // First occurrences of ids not recorded yet: only a batch can repeat one.
    const first = txs.length > 1 ? new Map<string, StoreTransaction>() : undefined;
    for (let i = 0; i < txs.length; i++) {
      const tx = txs[i]!;
      const seen = this.records.get(tx.transactionId);
      let same = true;
      if (seen) same = samePayload(seen, tx);
      else if (first) {
        const f = first.get(tx.transactionId);
        if (f) same = samePayload(f, tx);
        else first.set(tx.transactionId, tx);
      }
      if (!same) (out ??= new Array<StepOutcome>(txs.length).fill(SKIPPED))[i] = CONFLICT;
    }
    return out;
  }

  saveAnswers(
    answers: readonly { readonly transactionId: string; readonly answer: string }[],
  ): Promise<void> {
    const d = this.journal ? (this.dirty ??= newDirty()) : undefined;
    for (const { transactionId, answer } of answers) {
      const r = this.records.get(transactionId);
      // The first answer stands; an expired record has nothing left to answer for.
      if (r && r.answer === undefined) {
        r.answer = answer;
        d?.records.add(transactionId);
      }
    }
    return this.settle(undefined);
  }

  label(labels: readonly StoreLabel[]): Promise<LabelBatchOutcome> {
    const unknown: number[] = [];
    for (let i = 0; i < labels.length; i++) {
      if (!this.records.has(labels[i]!.transactionId)) unknown.push(i);
    }
    if (unknown.length > 0) return this.settle({ ok: false, unknown });
    const d = this.journal ? (this.dirty ??= newDirty()) : undefined;
    const outcomes: LabelOutcome[] = [];
    for (const l of labels) {
      const r = this.records.get(l.transactionId)!;
      const next = l.label === 'fraud' ? FRAUD : LEGITIMATE;
      const current =
        r.label === NO_LABEL
          ? undefined
          : {
              label: r.label === FRAUD ? ('fraud' as const) : ('legitimate' as const),
              timeUs: r.labelTimeUs,
            };
      // An older verdict arriving late changes nothing: PostgreSQL keeps the later one too.
      if (!verdictSupersedes(current, l)) {
        outcomes.push('unchanged');
        continue;
      }
      r.labelTimeUs = l.timeUs;
      d?.records.add(l.transactionId);
      if (r.label === next) {
        // The same verdict, later: no count moves, but its time is now the one to beat.
        outcomes.push('unchanged');
        continue;
      }
      // Only a change into or out of `fraud` moves the fraud counts of the terminal and the card.
      const delta = next === FRAUD ? 1 : r.label === FRAUD ? -1 : 0;
      if (delta !== 0) {
        const terminal = this.terminals.get(r.terminalId);
        if (terminal) applyLabel(terminal, r.timeSec, delta);
        const customer = this.customers.get(r.customerId);
        if (customer) applyCustomerLabel(customer, r.timeSec, delta);
        if (d) {
          if (terminal) d.terminals.add(r.terminalId);
          if (customer) d.customers.add(r.customerId);
        }
      }
      r.label = next;
      outcomes.push('applied');
    }
    return this.settle({ ok: true, outcomes });
  }

  /** Waits for the journal's last write, then closes it. */
  async close(): Promise<void> {
    if (!this.journal) return;
    await this.settle(undefined).catch(() => undefined);
    await this.journal.close();
  }

  /**
   * A call's outcome, once what it changed is in the journal (memory only: at once). A call that
   * changed nothing — a replay, a conflict, an unknown label — still waits for the write before
   * it, so that no answer rests on state a crash could take back. A failed write fails the call
   * (the edge answers degraded, or 503 for labels) and its ids stay dirty for the next write;
   * the Maps keep the change, so memory stays ahead of the disk until a write succeeds.
   */
  private settle<T>(value: T): Promise<T> {
    const journal = this.journal;
    if (!journal) return Promise.resolve(value);
    const d = this.dirty;
    if (!d || d.customers.size + d.terminals.size + d.records.size + d.velocity.size === 0) {
      return this.lastWrite.then(() => value);
    }
    this.dirty = undefined;
    let written: Promise<void>;
    try {
      written = Promise.resolve(journal.write(this.changesOf(d)));
    } catch (error) {
      written = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const kept = written.catch((error: unknown) => {
      this.keep(d);
      throw error;
    });
    this.lastWrite = kept.catch(() => undefined);
    return kept.then(() => value);
  }

  /** The current values of the dirty ids; an id no longer in its Map was dropped. */
  private changesOf(d: Dirty): JournalChanges {
    const records: JournalEntry<JournalRecord>[] = [];
    for (const id of d.records) {
      const r = this.records.get(id);
      records.push([
        id,
        r
          ? {
              customerId: r.customerId,
              terminalId: r.terminalId,
              timeSec: r.timeSec,
              amount: r.amount,
              label: r.label,
              labelTimeUs: Number.isFinite(r.labelTimeUs) ? r.labelTimeUs : null,
              answer: r.answer ?? null,
            }
          : null,
      ]);
    }
    return {
      customers: [...d.customers].map((id) => [id, this.customers.get(id) ?? null] as const),
      terminals: [...d.terminals].map((id) => [id, this.terminals.get(id) ?? null] as const),
      records,
      velocity: [...d.velocity].map((key) => {
        const [map] = this.velocityMapOf(key);
        return [key, map?.get(key.slice(key.indexOf(':') + 1)) ?? null] as const;
      }),
    };
  }

  /** Ids of a failed write, back into the next one. */
  private keep(d: Dirty): void {
    const into = (this.dirty ??= newDirty());
    for (const id of d.customers) into.customers.add(id);
    for (const id of d.terminals) into.terminals.add(id);
    for (const id of d.records) into.records.add(id);
    for (const key of d.velocity) into.velocity.add(key);
  }

  /** Current sizes. */
  stats(): MemoryStoreStats {
    return {
      customers: this.customers.size,
      terminals: this.terminals.size,
      records: this.records.size,
      velocity: this.devices.size + this.ips.size + this.customerVelocity.size,
      listedValues: this.lists.size,
    };
  }

  /** Drop records and states older than the retention behind the newest event day. */
  private expire(): void {
    const cutoff = this.newestDay - this.retentionDays;
    const d = this.dirty;
    for (const [day, ids] of this.byDay) {
      if (day >= cutoff) continue;
      for (const id of ids) {
        // The id may have expired before and come back on a later day: keep that record.
        if (this.records.get(id)?.day === day) {
          this.records.delete(id);
          d?.records.add(id);
        }
      }
      this.byDay.delete(day);
    }
    const cutoffSec = cutoff * DAY_S;
    for (const [id, c] of this.customers) {
      if (c[0]! < cutoffSec) {
        this.customers.delete(id);
        d?.customers.add(id);
      }
    }
    for (const [id, t] of this.terminals) {
      if (newestTerminalDay(t) < cutoff) {
        this.terminals.delete(id);
        d?.terminals.add(id);
      }
    }
    // A velocity state whose newest stamp (event time + 1) is a whole window older than the
    // cutoff counts nothing for any transaction the store still takes (one at the cutoff looks
    // back 30 days at most): dropping it is exact.
    const velocityCutoff = cutoffSec - VELOCITY_MAX_WINDOW_S;
    for (const [kind, m] of [
      ['d', this.devices],
      ['ip', this.ips],
      ['cv', this.customerVelocity],
    ] as const) {
      for (const [id, v] of m) {
        if (v[VELOCITY_NEWEST]! - 1 < velocityCutoff) {
          m.delete(id);
          d?.velocity.add(`${kind}:${id}`);
        }
      }
    }
  }
}

function newDirty(): Dirty {
  return { customers: new Set(), terminals: new Set(), records: new Set(), velocity: new Set() };
}

/** A velocity state of a Map, created fresh (zeros) when missing. */
function velocityState(m: Map<string, Float64Array>, id: string, length: number): Float64Array {
  let s = m.get(id);
  if (!s) m.set(id, (s = new Float64Array(length)));
  return s;
}

const NO_LISTS: string[] = [];
const PENDING: StepOutcome = { kind: 'pending' };
const CONFLICT: StepOutcome = { kind: 'conflict' };
const SKIPPED: StepOutcome = { kind: 'skipped' };

/** The embedded default FeatureStore. */
export function createMemoryFeatureStore(options?: MemoryFeatureStoreOptions): MemoryFeatureStore {
  return new MemoryFeatureStore(options);
}
