/**
 * The FeatureStore over the feature store script, whatever carries it: the Upstash REST adapter
 * and the TCP adapter each supply a `ScriptTransport`; everything else — arguments, replies,
 * answer buffering — lives here once.
 *
 * Answers are not written when saved: they wait in the instance and ride along with the next
 * step or label call (one round trip per scored transaction), or are flushed after
 * `idleFlushMs` without calls, when the buffer grows past `maxPiggybackBytes`, and on close().
 * The price: a duplicate that arrives before its answer has left the buffer gets `pending`.
 */
import type {
  FeatureStore,
  LabelBatchOutcome,
  ListChange,
  StepOptions,
  StepOutcome,
  StoreLabel,
  StoreTransaction,
} from '@vigil/core';
import { featureDeadlineMs, FEATURE_TIMEOUT_PER_ITEM_MS } from '@vigil/core';
import { FeatureStoreError } from './feature-store-error.js';
import { FEATURE_STORE_LUA } from './feature-store-lua.js';
import { checkListChanges, checkListCursor } from './list-changes.js';
import {
  flushArgs,
  labelArgs,
  listArgs,
  parseFlushReply,
  parseLabelReply,
  listCursorArgs,
  parseListCursorReply,
  parseListReply,
  parseStepReply,
  stepArgs,
  type BufferedAnswer,
  type CallHeader,
} from './script-codec.js';

/** How an adapter runs the script: one request per call, EVALSHA first, EVAL on NOSCRIPT. */
export interface ScriptTransport {
  /**
   * Runs FEATURE_STORE_LUA with these ARGV (no KEYS), each request given up after `timeoutMs`
   * (0 = never); throws FeatureStoreError on failure.
   */
  run(args: readonly string[], timeoutMs: number): Promise<unknown>;
  /** Requests sent so far (HTTP requests or Redis commands): the round trips. */
  readonly roundTrips: number;
  close(): Promise<void>;
}

/** Records and answers: labels arrive ~7 days late, and the terminal ring holds 37 days. */
export const DEFAULT_RECORD_TTL_SEC = 45 * 86_400;
/** States: refreshed on every write; after 37 idle days no bucket is in any window. */
export const DEFAULT_STATE_TTL_SEC = 60 * 86_400;
/**
 * Device and IP velocity states: their windows reach 24 hours back; two days leave room for late
 * events (the customer's velocity state, 30 days, lives as long as its feature state).
 */
export const DEFAULT_VELOCITY_TTL_SEC = 2 * 86_400;
export const DEFAULT_PREFIX = 'vigil:';
/** A call of one transaction or label (VIGIL_FEATURE_TIMEOUT_MS). */
export const DEFAULT_TIMEOUT_MS = 30;
export const DEFAULT_IDLE_FLUSH_MS = 250;
const DEFAULT_MAX_PIGGYBACK_BYTES = 256 * 1024;
const DEFAULT_MAX_BUFFERED_ANSWERS = 10_000;

/** Options common to both Redis feature stores. */
export interface RedisFeatureStoreOptions {
  /** Key prefix, e.g. per environment or per test. Default `vigil:`. */
  prefix?: string;
  /**
   * Time limit of a call for one transaction or label, ms (VIGIL_FEATURE_TIMEOUT_MS); 0 = none.
   * Default 30. A batch of n gets core's `featureDeadlineMs`: `timeoutMs + perItemTimeoutMs ×
   * (n − 1)`, the deadline the scoring service gives the same call.
   */
  timeoutMs?: number;
  /** See timeoutMs. Default core's FEATURE_TIMEOUT_PER_ITEM_MS (0.5 ms). */
  perItemTimeoutMs?: number;
  /** Lifetime of transaction records and saved answers, seconds. Default 45 days. */
  recordTtlSec?: number;
  /** Lifetime of an untouched customer or terminal state, seconds. Default 60 days. */
  stateTtlSec?: number;
  /** Lifetime of an untouched device or IP velocity state, seconds. Default 2 days. */
  velocityTtlSec?: number;
  /** Wall clock for list expiry, epoch ms (tests move it). Default Date.now. */
  now?: () => number;
  /** Flush buffered answers after this long without calls. Default 250 ms. */
  idleFlushMs?: number;
  /** Flush at once when buffered answers exceed this many bytes. Default 256 KiB. */
  maxPiggybackBytes?: number;
  /** Oldest buffered answers are dropped beyond this many (only while Redis is failing). */
  maxBufferedAnswers?: number;
  /** Failures of background flushes (their answers are kept for the next call). */
  onError?: (error: unknown) => void;
}

/** A FeatureStore on Redis, with what the benchmark and the runtimes need on top. */
export interface RemoteFeatureStore extends FeatureStore {
  /** Requests sent to Redis / the REST endpoint so far. */
  readonly roundTrips: number;
  /** Answers saved but not yet sent. */
  readonly bufferedAnswers: number;
  /** Sends buffered answers now (one round trip when there are any). */
  flush(): Promise<void>;
}

/** Builds the store over a transport; the adapters call this. */
export function createRedisFeatureStore(
  transport: ScriptTransport,
  options: RedisFeatureStoreOptions = {},
): RemoteFeatureStore {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const recordTtlSec = positiveInt(options.recordTtlSec ?? DEFAULT_RECORD_TTL_SEC, 'recordTtlSec');
  const stateTtlSec = positiveInt(options.stateTtlSec ?? DEFAULT_STATE_TTL_SEC, 'stateTtlSec');
  const velocityTtlSec = positiveInt(
    options.velocityTtlSec ?? DEFAULT_VELOCITY_TTL_SEC,
    'velocityTtlSec',
  );
  const now = options.now ?? Date.now;
  const timeoutMs = nonNegative(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
  const perItemMs = nonNegative(
    options.perItemTimeoutMs ?? FEATURE_TIMEOUT_PER_ITEM_MS,
    'perItemTimeoutMs',
  );
  /** The time limit of a call carrying n items (transactions, labels or answers). */
  const budget = (n: number) => featureDeadlineMs(timeoutMs, n, perItemMs);
  const idleFlushMs = options.idleFlushMs ?? DEFAULT_IDLE_FLUSH_MS;
  const maxPiggybackBytes = options.maxPiggybackBytes ?? DEFAULT_MAX_PIGGYBACK_BYTES;
  const maxBuffered = options.maxBufferedAnswers ?? DEFAULT_MAX_BUFFERED_ANSWERS;
  const onError = options.onError ?? (() => {});

  let buffer: BufferedAnswer[] = [];
  let bufferBytes = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let background: Promise<void> | undefined;
  let closed = false;

  /** Takes the whole buffer for one call; `restore` puts it back if the call fails. */
  function take(): { header: CallHeader; restore: () => void } {
    const answers = buffer;
    const bytes = bufferBytes;
    buffer = [];
    bufferBytes = 0;
    return {
      header: { prefix, recordTtlSec, stateTtlSec, velocityTtlSec, nowMs: now(), answers },
      restore: () => {
        if (answers.length === 0) return;
        buffer = answers.concat(buffer);
        bufferBytes += bytes;
        if (buffer.length > maxBuffered) {
          const dropped = buffer.splice(0, buffer.length - maxBuffered);
          for (const a of dropped) bufferBytes -= a.answer.length + a.transactionId.length;
          onError(
            new FeatureStoreError(
              'FEATURE_STORE_UNAVAILABLE',
              `dropped ${dropped.length} buffered answers; their duplicates will see 'pending'`,
            ),
          );
        }
      },
    };
  }

  /** One script call for `items` transactions or labels, carrying the buffered answers. */
  async function call<T>(
    items: number,
    build: (h: CallHeader) => string[],
    parse: (reply: unknown) => T,
  ): Promise<T> {
    if (closed) throw new FeatureStoreError('FEATURE_STORE_UNAVAILABLE', 'feature store is closed');
    const { header, restore } = take();
    try {
      // Saving an answer costs the script about a tenth of what a transaction does.
      const limit = budget(items + Math.floor(header.answers.length / 10));
      return parse(await transport.run(build(header), limit));
    } catch (error) {
      restore();
      throw error;
    } finally {
      arm();
    }
  }

  /** (Re)starts the idle flush while answers wait; timers never keep a Node process alive. */
  function arm(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0 || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      flushInBackground();
    }, idleFlushMs);
    unref(timer);
  }

  function flushInBackground(): void {
    if (background || buffer.length === 0) return;
    background = flush()
      .catch(onError)
      .finally(() => {
        background = undefined;
      });
  }

  async function flush(): Promise<void> {
    if (buffer.length === 0) return;
    const n = buffer.length;
    await call(0, flushArgs, (reply) => parseFlushReply(reply, n));
  }

  return {
    get roundTrips() {
      return transport.roundTrips;
    },
    get bufferedAnswers() {
      return buffer.length;
    },

    async step(txs: readonly StoreTransaction[], options?: StepOptions): Promise<StepOutcome[]> {
      if (txs.length === 0) return [];
      return call(
        txs.length,
        (h) => stepArgs(h, txs, options?.listKinds, options?.velocity),
        (reply) => parseStepReply(reply, txs.length),
      );
    },

    saveAnswers(answers): Promise<void> {
      if (closed) {
        return Promise.reject(
          new FeatureStoreError('FEATURE_STORE_UNAVAILABLE', 'feature store is closed'),
        );
      }
      for (const a of answers) {
        buffer.push({ transactionId: a.transactionId, answer: a.answer });
        bufferBytes += a.answer.length + a.transactionId.length;
      }
      if (bufferBytes > maxPiggybackBytes) flushInBackground();
      else arm();
      return Promise.resolve();
    },

    async label(labels: readonly StoreLabel[]): Promise<LabelBatchOutcome> {
      if (labels.length === 0) return { ok: true, outcomes: [] };
      return call(
        labels.length,
        (h) => labelArgs(h, labels),
        (reply) => parseLabelReply(reply, labels.length),
      );
    },

    async applyListChanges(changes: readonly ListChange[], cursor?: string): Promise<void> {
      checkListChanges(changes);
      if (cursor !== undefined) checkListCursor(cursor);
      if (changes.length === 0 && cursor === undefined) return;
      await call(
        changes.length,
        (h) => listArgs(h, changes, cursor),
        (reply) => parseListReply(reply, changes.length),
      );
    },

    listCursor(): Promise<string | null> {
      return call(0, listCursorArgs, parseListCursorReply);
    },

    flush,

    async close(): Promise<void> {
      if (closed) return;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      try {
        await background;
        await flush();
      } finally {
        closed = true;
        await transport.close();
      }
    },
  };
}

/** Node's timers keep the process alive unless unref'd; a Worker's are plain numbers. */
function unref(timer: unknown): void {
  if (typeof timer === 'object' && timer !== null && 'unref' in timer) {
    (timer as { unref(): void }).unref();
  }
}

function nonNegative(x: number, name: string): number {
  if (!Number.isFinite(x) || x < 0) throw new RangeError(`${name} must be a number ≥ 0`);
  return x;
}

function positiveInt(x: number, name: string): number {
  if (!Number.isInteger(x) || x <= 0) throw new RangeError(`${name} must be a positive integer`);
  return x;
}

/** True for Redis' "script not cached" error, however the client wraps it. */
export function isNoScript(error: unknown): boolean {
  return error instanceof Error && /^\s*NOSCRIPT\b/i.test(error.message);
}

let sha1: Promise<string> | undefined;
/** SHA-1 of FEATURE_STORE_LUA, as EVALSHA wants it (Web Crypto: Workers and Node alike). */
export function featureStoreScriptSha1(): Promise<string> {
  return (sha1 ??= crypto.subtle
    .digest('SHA-1', new TextEncoder().encode(FEATURE_STORE_LUA))
    .then((d) => Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('')));
}
