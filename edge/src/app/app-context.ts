import type { Context, Env, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { EventSink, FeatureStore, ModelMetadata, TreeEnsemble } from '@vigil/core';
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
  readonly model: ServedModel;
  readonly runtime: string;
  /** Body limits in bytes: single-item and batch requests. */
  readonly limits: { readonly single: number; readonly batch: number };
  readonly labelTimeoutMs: number;
  /** The security headers as a record, for responses built in one go (security-headers.ts). */
  readonly securityHeaders: Readonly<Record<string, string>>;
  readonly log: Logger;
}

/** 413 problem+json past `maxBytes` (Content-Length, or counted while streaming). */
export function limitBody(maxBytes: number): MiddlewareHandler<EdgeEnv> {
  const tooLarge = () => {
    throw new ProblemError('payload-too-large', `the request body exceeds ${maxBytes} bytes`, {
      headers: { connection: 'close' },
    });
  };
  const streaming = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      // The body was not read: the connection cannot carry another request until it is, so tell
      // the client not to reuse it (the Node server would otherwise drain or drop it under them).
      throw new ProblemError('payload-too-large', `the request body exceeds ${maxBytes} bytes`, {
        headers: { connection: 'close' },
      });
    },
  });
  // A declared Content-Length is enforced by the HTTP layer (no body runs past it), so checking
  // the header is enough and spares every request the stream wrapper that counts bytes; that
  // wrapper cost more than the model (profiled). Chunked bodies are still counted as they stream.
  return async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared === undefined) return streaming(c, next);
    const n = Number(declared);
    if (!Number.isFinite(n) || n > maxBytes) tooLarge();
    await next();
  };
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
