/**
 * core's injected HMAC on Node: node:crypto's createHmac is synchronous, where crypto.subtle goes
 * through the thread pool — for a multi-megabyte ingest body that is one copy fewer.
 */
import { createHmac } from 'node:crypto';
import type { HmacSha256 } from '@vigil/core';

export const nodeHmacSha256: HmacSha256 = (secret, message) =>
  Promise.resolve(new Uint8Array(createHmac('sha256', secret).update(message).digest()));
