/**
 * The formats of Vigil's two shared-secret credentials, as pure functions. The HMAC itself is
 * injected (`HmacSha256`): every runtime has WebCrypto (`crypto.subtle`), but core does no I/O
 * and names no runtime global, so each app passes its own one-line adapter.
 *
 * 1. Event batches, edge → backplane (`VIGIL_EVENTS_SECRET`): header
 *    `X-Vigil-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. The receiver
 *    recomputes over the raw bytes it read and refuses a signature older than
 *    SIGNATURE_TOLERANCE_S (a captured batch cannot be replayed later; event ids make a replay
 *    within the window harmless anyway).
 * 2. Browser sessions (`VIGIL_SESSION_SECRET`): cookie `vigil_session` =
 *    `v1.<expires unix s>.<subject, base64url>.<base64url HMAC-SHA256 of the first three parts>`,
 *    checked by the backplane for `/api/*` and by the Worker for `/v1/live`.
 */

export type HmacSha256 = (secret: string, message: string) => Promise<Uint8Array>;

export const SIGNATURE_HEADER = 'X-Vigil-Signature';
export const SIGNATURE_TOLERANCE_S = 300;
export const SESSION_COOKIE = 'vigil_session';
export const SESSION_TTL_S = 12 * 3600;

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX[b >> 4]! + HEX[b & 15]!;
  return s;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding; written here because core may not use Buffer or btoa. */
export function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    s += B64[n >> 18]! + B64[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]!;
  }
  return s;
}

function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0x7f;
  return out;
}

function fromBase64Url(s: string): string | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return null;
  const bytes: number[] = [];
  let buf = 0;
  let bits = 0;
  for (const ch of s) {
    buf = (buf << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buf >> bits) & 255);
    }
  }
  // Subjects are printable ASCII (see SUBJECT), so no UTF-8 decoder is needed here.
  let out = '';
  for (const b of bytes) {
    if (b < 0x20 || b > 0x7e) return null;
    out += String.fromCharCode(b);
  }
  return out;
}

/** What a session subject (an analyst's display name) may be: printable ASCII, 1–64 chars. */
export const SUBJECT = /^[\x20-\x7e]{1,64}$/;

/** Equal strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/** The X-Vigil-Signature value for a body sent at `nowS`. */
export async function signBody(
  hmac: HmacSha256,
  secret: string,
  body: string,
  nowS: number,
): Promise<string> {
  const t = Math.floor(nowS);
  return `t=${t},v1=${toHex(await hmac(secret, `${t}.${body}`))}`;
}

export type SignatureCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'expired' | 'mismatch' };

/** Check a received body against its X-Vigil-Signature header. */
export async function verifyBody(
  hmac: HmacSha256,
  secret: string,
  body: string,
  header: string | null | undefined,
  nowS: number,
): Promise<SignatureCheck> {
  if (!header) return { ok: false, reason: 'missing' };
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header.trim());
  if (!m) return { ok: false, reason: 'malformed' };
  const t = Number(m[1]);
  if (Math.abs(nowS - t) > SIGNATURE_TOLERANCE_S) return { ok: false, reason: 'expired' };
  const expected = toHex(await hmac(secret, `${t}.${body}`));
  return constantTimeEqual(expected, m[2]!) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/** A session token for `subject` (an analyst's name), valid for `ttlS` from `nowS`. */
export async function issueSession(
  hmac: HmacSha256,
  secret: string,
  subject: string,
  nowS: number,
  ttlS = SESSION_TTL_S,
): Promise<string> {
  if (!SUBJECT.test(subject)) throw new Error('session subject must be 1–64 printable ASCII');
  const head = `v1.${Math.floor(nowS + ttlS)}.${toBase64Url(ascii(subject))}`;
  return `${head}.${toBase64Url(await hmac(secret, head))}`;
}

/** The subject of a valid, unexpired session token; null otherwise. */
export async function verifySession(
  hmac: HmacSha256,
  secret: string,
  token: string | null | undefined,
  nowS: number,
): Promise<{ subject: string; expiresAt: number } | null> {
  if (!token || token.length > 1024) return null;
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1' || !/^\d{1,12}$/.test(parts[1]!)) return null;
  const expiresAt = Number(parts[1]);
  if (expiresAt <= nowS) return null;
  const head = `${parts[0]}.${parts[1]}.${parts[2]}`;
  const expected = toBase64Url(await hmac(secret, head));
  if (!constantTimeEqual(expected, parts[3]!)) return null;
  const subject = fromBase64Url(parts[2]!);
  return subject === null ? null : { subject, expiresAt };
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | null | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
