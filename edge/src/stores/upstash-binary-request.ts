/**
 * The HTTP side of the Upstash store: one POST per command to the REST endpoint, replies read
 * binary-safe. The SDK's own client decodes every base64 string of a reply as UTF-8, which
 * mangles the packed states the script returns; this one turns them into bytes. It also takes an
 * injected `fetch` (a Workers service binding, a test double), a time limit per request and counts
 * the requests it sends. Web APIs only: Workers and Node alike.
 */
import type { UpstashRequest, UpstashResponse } from '@upstash/redis/cloudflare';

export interface BinaryRequestOptions {
  /** UPSTASH_REDIS_REST_URL */
  url: string;
  /** UPSTASH_REDIS_REST_TOKEN */
  token: string;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
}

/** Sends SDK requests; strings of the reply come back as Uint8Array, the rest as JSON has it. */
export interface BinaryRequester {
  /** Sends `req`, giving up after `timeoutMs` (0 = never). */
  request(req: UpstashRequest, timeoutMs: number): Promise<UpstashResponse<unknown>>;
  /** HTTP requests sent so far. */
  readonly roundTrips: number;
}

/** Builds the requester; creates nothing and sends nothing until the first request. */
export function createBinaryRequester(options: BinaryRequestOptions): BinaryRequester {
  const base = options.url.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const headers = {
    authorization: `Bearer ${options.token}`,
    'content-type': 'application/json',
    // Every string of the reply base64-encoded: the exact bytes.
    'upstash-encoding': 'base64',
  };
  let roundTrips = 0;

  return {
    get roundTrips() {
      return roundTrips;
    },
    async request(req, timeoutMs) {
      const url = [base, ...(req.path ?? [])].join('/');
      roundTrips++;
      const res = await doFetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(req.body),
        ...(timeoutMs > 0 ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
      });
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return { result: undefined, error: `HTTP ${res.status}: ${text.slice(0, 200)}` };
      }
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
        if ('error' in body && typeof body.error === 'string') {
          return { result: undefined, error: body.error };
        }
        if (res.ok && 'result' in body) return { result: decodeReply(body.result, true) };
      }
      return {
        result: undefined,
        error: `HTTP ${res.status}: unexpected body ${text.slice(0, 200)}`,
      };
    },
  };
}

/** base64 strings → bytes, recursively; Upstash leaves a top-level "OK" status unencoded. */
function decodeReply(x: unknown, topLevel: boolean): unknown {
  if (typeof x === 'string')
    return topLevel && x === 'OK' ? new TextEncoder().encode(x) : bytesOf(x);
  if (Array.isArray(x)) return x.map((item: unknown) => decodeReply(item, false));
  return x;
}

function bytesOf(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
