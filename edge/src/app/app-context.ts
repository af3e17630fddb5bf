import type { Context, Env, MiddlewareHandler } from 'hono';
import type { EventSink, FeatureStore, ModelMetadata, TreeEnsemble } from '@vigil/core';
import type { ModelSource } from '../scoring/served-models.js';
import type { ScoreCall, ScoringService } from '../scoring/scoring-service.js';
import type { EdgeMetrics } from './metrics.js';
import { ProblemError } from './problem.js';

/**
 * Hono's environment for the edge: the arrival time, set by the first middleware, and whether the
 * response carries the security headers already (the scoring routes' fast path).
 */
export interface EdgeEnv extends Env {
  Variables: { t0: number; secured: boolean };
}

/** The served model: metadata (validated with core's parseModelMetadata) and its trees. */
export interface ServedModel {
  readonly metadata: ModelMetadata;
  readonly ensemble: TreeEnsemble;
}

/** One structured log line; `error` is an Error or anything thrown. */
export interface LogEntry {
  readonly level: 'error' | 'warn' | 'info';
  readonly msg: string;
  readonly [field: string]: unknown;
}
export type Logger = (entry: LogEntry) => void;

/** What the route modules share, built once by createApp. */
export interface AppContext {
  readonly scoring: ScoringService;
  readonly store: FeatureStore;
  /** Counts every event in /metrics, then hands it to the runtime's sink. */
  readonly sink: EventSink;
  readonly metrics: EdgeMetrics;
  /** The deployed model (the app's start): the registry's champion, when named, is in `models`. */
  readonly model: ServedModel;
  /** The champion and challenger in force. */
  readonly models: ModelSource;
  readonly runtime: string;
  /** Body limits in bytes: single-item and batch requests. */
  readonly limits: { readonly single: number; readonly batch: number };
  readonly labelTimeoutMs: number;
  /** Time a request body has to arrive whole once its handler reads it (VIGIL_REQUEST_TIMEOUT_MS). */
  readonly bodyTimeoutMs: number;
  /** The security headers as a record, for responses built in one go (security-headers.ts). */
  readonly securityHeaders: Readonly<Record<string, string>>;
  readonly log: Logger;
}

/** A body too large is still read, up to this many bytes in all, and dropped before the 413. */
export const DISCARD_MAX_BYTES = 16 * 1_048_576;

/**
 * 413 problem+json past `maxBytes` (Content-Length, or counted while streaming). A server that
 * answers and closes with the body unread makes the kernel reset the connection, and a client
 * still writing a 5 MB body often saw that reset instead of its 413 (issue 13): workerd closes as
 * soon as the answer is out. So a refused body is read and dropped first, up to
 * DISCARD_MAX_BYTES (on Node within the request deadline, serve-node.ts), and the answer does not
 * say `Connection: close`; past that bound the connection is closed after the 413. Written here
 * rather than with hono's bodyLimit, which stops reading at the limit and leaves the rest.
 */
export function limitBody(maxBytes: number): MiddlewareHandler<EdgeEnv> {
  const tooLarge = (): never => {
    throw new ProblemError('payload-too-large', `the request body exceeds ${maxBytes} bytes`);
  };
  // Request bodies are bytes (Fetch standard); some lib typings say ReadableStream<any>.
  const bodyOf = (c: Context<EdgeEnv>) => c.req.raw.body as ReadableStream<Uint8Array> | null;
  return async (c, next) => {
    // A declared Content-Length is enforced by the HTTP layer (no body runs past it), so checking
    // the header is enough and spares every request the reader that counts bytes; that wrapper
    // cost more than the model (profiled). Chunked bodies are counted as they stream. The body
    // stream is touched only when needed: on Node, reading `raw.body` makes @hono/node-server
    // build a whole fetch Request (an AbortSignal, a ReadableStream) that it otherwise skips —
    // measured, that halved the Node edge's throughput (docs/benchmarks.md).
    const declared = c.req.header('content-length');
    if (declared !== undefined) {
      const n = Number(declared);
      if (!Number.isFinite(n) || n > maxBytes) {
        const body = bodyOf(c);
        if (body) await discard(body.getReader(), 0);
        tooLarge();
      }
      return next();
    }
    const body = bodyOf(c);
    if (body === null) return next();
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await discard(reader, size);
        tooLarge();
      }
      chunks.push(value);
    }
    const whole = new Uint8Array(size);
    for (let k = 0, at = 0; k < chunks.length; at += chunks[k]!.byteLength, k++) {
      whole.set(chunks[k]!, at);
    }
    c.req.raw = new Request(c.req.raw, { body: whole });
    await next();
  };
}

/** Reads and drops a body nobody will use, until DISCARD_MAX_BYTES have been read in all. */
async function discard(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  alreadyRead: number,
): Promise<void> {
  try {
    for (let read = alreadyRead; read < DISCARD_MAX_BYTES;) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
  } catch {
    // The client went away mid-body: the 413 goes nowhere, and that is all.
  } finally {
    reader.releaseLock();
  }
}

/**
 * Per-request scoring hooks: the arrival time (decision events carry the request's server time)
 * and, on Workers, the request's waitUntil for background work (answer saves, event delivery).
 * Decided by the runtime, not probed per request: Hono's executionCtx getter throws where there is
 * none, and an exception per request costs more than the model on Node.
 */
export function scoreCallOf(c: Context<EdgeEnv>, runtime: string): ScoreCall {
  const startedAt = c.get('t0');
  if (runtime !== 'workers') return { startedAt };
  let ctx: Context['executionCtx'];
  try {
    ctx = c.executionCtx;
  } catch {
    return { startedAt };
  }
  return { background: (work) => ctx.waitUntil(work), startedAt };
}
