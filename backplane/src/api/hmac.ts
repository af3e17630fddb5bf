/**
 * core's injected HMAC for Node: node:crypto's createHmac is synchronous and cheap for a session
 * token (docs/measurements.md), where crypto.subtle would go through the thread pool.
 */
import { createHmac } from 'node:crypto';
import type { HmacSha256 } from '@vigil/core';

export const nodeHmacSha256: HmacSha256 = (secret, message) =>
  Promise.resolve(new Uint8Array(createHmac('sha256', secret).update(message).digest()));
