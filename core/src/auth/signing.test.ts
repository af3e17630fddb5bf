import { describe, expect, it } from 'vitest';
import {
  SIGNATURE_TOLERANCE_S,
  cookieValue,
  issueSession,
  signBody,
  toBase64Url,
  verifyBody,
  verifySession,
  type HmacSha256,
} from './signing.js';

// WebCrypto, as every runtime has it (core itself takes the HMAC as a parameter).
const hmac: HmacSha256 = async (secret, message) => {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw',
    enc.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(message)));
};

describe('event batch signatures', () => {
  const body = '{"events":[{"x":"ü"}]}';
  it('verifies what it signed, within the tolerance', async () => {
    const h = await signBody(hmac, 's3cret', body, 1_700_000_000);
    expect(h).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(await verifyBody(hmac, 's3cret', body, h, 1_700_000_000 + 10)).toEqual({ ok: true });
  });
  it('refuses another body, another secret, an old or a malformed signature', async () => {
    const h = await signBody(hmac, 's3cret', body, 1_700_000_000);
    const now = 1_700_000_000;
    expect(await verifyBody(hmac, 's3cret', body + ' ', h, now)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect((await verifyBody(hmac, 'other', body, h, now)).ok).toBe(false);
    expect(await verifyBody(hmac, 's3cret', body, h, now + SIGNATURE_TOLERANCE_S + 1)).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(await verifyBody(hmac, 's3cret', body, 'sha256=abc', now)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(await verifyBody(hmac, 's3cret', body, undefined, now)).toEqual({
      ok: false,
      reason: 'missing',
    });
  });
});

describe('sessions', () => {
  it('round-trips a subject until it expires', async () => {
    const t = await issueSession(hmac, 'k', 'Ana Analyst', 1000, 60);
    expect(await verifySession(hmac, 'k', t, 1059)).toEqual({
      subject: 'Ana Analyst',
      expiresAt: 1060,
    });
    expect(await verifySession(hmac, 'k', t, 1060)).toBeNull();
    expect(await verifySession(hmac, 'other', t, 1000)).toBeNull();
  });
  it('refuses a token whose expiry or subject was edited', async () => {
    const t = await issueSession(hmac, 'k', 'ana', 1000, 60);
    const [v, exp, sub, mac] = t.split('.');
    expect(
      await verifySession(hmac, 'k', `${v}.${Number(exp) + 999}.${sub}.${mac}`, 1000),
    ).toBeNull();
    const other = toBase64Url(new TextEncoder().encode('root'));
    expect(await verifySession(hmac, 'k', `${v}.${exp}.${other}.${mac}`, 1000)).toBeNull();
    expect(await verifySession(hmac, 'k', 'garbage', 1000)).toBeNull();
  });
  it('refuses subjects that are not printable ASCII', async () => {
    await expect(issueSession(hmac, 'k', 'a\nb', 0)).rejects.toThrow(/printable/);
  });
  it('reads one cookie out of a header', () => {
    expect(cookieValue('a=1; vigil_session=v1.2.x.y; b=2', 'vigil_session')).toBe('v1.2.x.y');
    expect(cookieValue('a=1', 'vigil_session')).toBeNull();
  });
});

describe('base64url', () => {
  it('matches Node for every length mod 3', () => {
    for (const s of ['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar\u00ff']) {
      const bytes = new TextEncoder().encode(s);
      expect(toBase64Url(bytes)).toBe(
        btoa(String.fromCharCode(...bytes))
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
          .replace(/=+$/, ''),
      );
    }
  });
});
