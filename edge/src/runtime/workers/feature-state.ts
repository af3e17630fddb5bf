/**
 * The FeatureState Durable Object: the Worker's persistent feature store when no Upstash Redis is
 * configured (VIGIL_FEATURE_STORE=durable, wrangler.toml's default). One instance
 * (`idFromName('global')`), SQLite-backed (migration v3). It runs the memory store — the one
 * implementation of the port's logic over core's state ops — with a SQLite journal
 * (sql-feature-journal.ts), and reads everything back when it wakes. One RPC per step, label or
 * answer save; atomic because an object handles one call at a time and each call's writes are one
 * transaction, durable before the reply leaves (the output gate).
 *
 * Unlike per-isolate memory, every isolate sees the same state, and a restart (or an eviction)
 * forgets nothing. Its limits: one object serves every call (on the order of a thousand calls a
 * second), and it holds the whole state in its memory, bounded as the memory store is (45 days of
 * event time) and by a Durable Object's 128 MB. Traffic beyond that belongs in Redis over
 * Upstash REST (UPSTASH_REDIS_REST_URL), which takes precedence when set.
 */
import { DurableObject } from 'cloudflare:workers';
import {
  LIST_KINDS,
  VELOCITY_STATES,
  type LabelBatchOutcome,
  type ListChange,
  type StepOptions,
  type StepOutcome,
  type StoreLabel,
  type StoreTransaction,
} from '@vigil/core';
import { consoleLogger } from '../../app/create-app.js';
import { checkListChanges, checkListCursor } from '../../stores/list-changes.js';
import { MemoryFeatureStore } from '../../stores/memory-feature-store.js';
import type { FeatureStateRpc } from './durable-feature-store.js';
import { SqlFeatureJournal } from './sql-feature-journal.js';

const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isOptionalText = (v: unknown): boolean => v === undefined || typeof v === 'string';

/** The RPC is a border: every item must be what the Worker's validated requests produce. */
function checkList<T>(
  what: string,
  items: unknown,
  ok: (item: Record<string, unknown>) => boolean,
): T[] {
  if (!Array.isArray(items)) throw new TypeError(`FeatureState: ${what} must be a list`);
  for (const item of items) {
    if (typeof item !== 'object' || item === null || !ok(item as Record<string, unknown>)) {
      throw new TypeError(`FeatureState: malformed ${what} item`);
    }
  }
  return items as T[];
}

/**
 * The step's options from the RPC: list kinds and velocity states, each, if given, a list of
 * members of LIST_KINDS and VELOCITY_STATES.
 */
function checkStepOptions(options: unknown): StepOptions {
  if (typeof options !== 'object' || options === null) return {};
  return {
    listKinds: checkMembers(options, 'listKinds', LIST_KINDS),
    velocity: checkMembers(options, 'velocity', VELOCITY_STATES),
  };
}

/** options[field], undefined or a list of members of `known`. */
function checkMembers<T extends string>(
  options: object,
  field: string,
  known: readonly T[],
): T[] | undefined {
  const v: unknown = Reflect.get(options, field);
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((k) => known.includes(k as T))) {
    throw new TypeError(`FeatureState: ${field} must be a list of ${known.join(', ')}`);
  }
  return v as T[];
}

export class FeatureState extends DurableObject<Record<string, never>> implements FeatureStateRpc {
  private readonly store: MemoryFeatureStore;

  constructor(ctx: DurableObjectState, env: Record<string, never>) {
    super(ctx, env);
    const journal = new SqlFeatureJournal(ctx.storage);
    this.store = new MemoryFeatureStore({ journal });
    // Synchronous reads: no call can arrive before the state is back.
    const restored = this.store.restore(journal.snapshot());
    if (restored.skipped > 0) {
      consoleLogger({
        level: 'warn',
        msg: 'feature state: rows of another layout left out (they read as fresh)',
        ...restored,
      });
    }
  }

  step(txs: readonly StoreTransaction[], options?: StepOptions): Promise<StepOutcome[]> {
    const list = checkList<StoreTransaction>(
      'transaction',
      txs,
      (t) =>
        isId(t.transactionId) &&
        isId(t.customerId) &&
        isId(t.terminalId) &&
        isNumber(t.timeSec) &&
        isNumber(t.amount) &&
        isOptionalText(t.deviceId) &&
        isOptionalText(t.ip) &&
        isOptionalText(t.country),
    );
    return this.store.step(list, checkStepOptions(options));
  }

  saveAnswers(answers: readonly { transactionId: string; answer: string }[]): Promise<void> {
    const list = checkList<{ transactionId: string; answer: string }>(
      'answer',
      answers,
      (a) => isId(a.transactionId) && typeof a.answer === 'string',
    );
    return this.store.saveAnswers(list);
  }

  label(labels: readonly StoreLabel[]): Promise<LabelBatchOutcome> {
    const list = checkList<StoreLabel>(
      'label',
      labels,
      (l) =>
        isId(l.transactionId) &&
        (l.label === 'fraud' || l.label === 'legitimate') &&
        isNumber(l.timeUs),
    );
    return this.store.label(list);
  }

  /** List changes from the edge's sync, checked here like every RPC argument. */
  applyListChanges(changes: readonly ListChange[], cursor?: string): Promise<void> {
    return this.store.applyListChanges(
      checkListChanges(changes),
      cursor === undefined ? undefined : checkListCursor(cursor),
    );
  }

  /** The cursor of the lists held: null after a restart (they are not journalled). */
  listCursor(): Promise<string | null> {
    return this.store.listCursor();
  }

  /** How much the object holds (waking it, which loads its state): warm-up and diagnostics. */
  stats(): { customers: number; terminals: number; records: number } {
    return this.store.stats();
  }
}
