import type { HmacSha256 } from '@vigil/core';

type Key = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/**
 * Core's HmacSha256 on WebCrypto (`crypto.subtle`), which Workers and Node 20 both have. Imported
 * keys are cached per secret; the cache holds settled CryptoKeys, never promises, because workerd
 * forbids one request awaiting a promise another request created.
 */
export function createWebCryptoHmac(): HmacSha256 {
  const encoder = new TextEncoder();
  const keys = new Map<string, Key>();
  return async (secret, message) => {
    let key = keys.get(secret);
    if (key === undefined) {
      key = await crypto.subtle.importKey(
        'raw',
        encoder.encode(secret),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      );
      keys.set(secret, key);
    }
    return new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(message)));
  };
}
