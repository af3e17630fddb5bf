/**
 * The messages between the Node edge and its challenger thread (challenger-thread.ts ↔
 * challenger-worker.ts). Feature rows and scores travel as transferred typed arrays (their
 * buffers move, nothing is copied); the model as its SHA-256-verified ONNX bytes, checked again
 * where the session is built.
 */
import type { ModelMetadata } from '@vigil/core';

/** Main thread → worker. `key` names one model (version and digest). */
export type ToWorker =
  | {
      readonly type: 'load';
      readonly key: string;
      readonly sha256: string | null;
      readonly metadata: ModelMetadata;
      readonly onnx: Uint8Array;
    }
  | { readonly type: 'drop' }
  | {
      readonly type: 'score';
      readonly id: number;
      readonly key: string;
      readonly rows: number;
      readonly x: Float32Array;
    };

/** Worker → main thread. */
export type FromWorker =
  | { readonly type: 'scores'; readonly id: number; readonly scores: Float32Array }
  | { readonly type: 'failed'; readonly id: number; readonly message: string }
  | { readonly type: 'loaded'; readonly key: string }
  | { readonly type: 'load-failed'; readonly key: string; readonly message: string };

/** A worker's message, checked (a border, even within one process: never `as` on trust). */
export function parseFromWorker(m: unknown): FromWorker | null {
  if (typeof m !== 'object' || m === null) return null;
  const o = m as Record<string, unknown>;
  if (o.type === 'scores' && typeof o.id === 'number' && o.scores instanceof Float32Array) {
    return { type: 'scores', id: o.id, scores: o.scores };
  }
  if (o.type === 'failed' && typeof o.id === 'number' && typeof o.message === 'string') {
    return { type: 'failed', id: o.id, message: o.message };
  }
  if (o.type === 'loaded' && typeof o.key === 'string') return { type: 'loaded', key: o.key };
  if (o.type === 'load-failed' && typeof o.key === 'string' && typeof o.message === 'string') {
    return { type: 'load-failed', key: o.key, message: o.message };
  }
  return null;
}

/** A main thread's message, checked; the metadata is validated again by core where it is used. */
export function parseToWorker(m: unknown): ToWorker | null {
  if (typeof m !== 'object' || m === null) return null;
  const o = m as Record<string, unknown>;
  if (o.type === 'drop') return { type: 'drop' };
  if (
    o.type === 'load' &&
    typeof o.key === 'string' &&
    (typeof o.sha256 === 'string' || o.sha256 === null) &&
    o.onnx instanceof Uint8Array
  ) {
    return {
      type: 'load',
      key: o.key,
      sha256: o.sha256,
      metadata: o.metadata as ModelMetadata,
      onnx: o.onnx,
    };
  }
  if (
    o.type === 'score' &&
    typeof o.id === 'number' &&
    typeof o.key === 'string' &&
    typeof o.rows === 'number' &&
    o.x instanceof Float32Array
  ) {
    return { type: 'score', id: o.id, key: o.key, rows: o.rows, x: o.x };
  }
  return null;
}
