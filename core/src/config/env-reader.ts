/**
 * Readers of configuration variables from an environment record (process.env on Node, a Worker's
 * string bindings), shared by the edge's and the backplane's loadConfig so that both read, default
 * and refuse a variable in the same way and the same words. An empty value counts as unset, as in
 * .env files. An error names the variable (and which key of a list), never a secret's value.
 */

/** An environment record: process.env on Node, a Worker's string bindings. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A configuration variable is invalid; `variable` names it. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

/** Shortest shared secret accepted (events, hub, sessions): a guessable one is none. */
export const MIN_SECRET_LENGTH = 16;
/** Shortest bearer key accepted: a guessable key is no key. */
export const MIN_API_KEY_LENGTH = 16;

/** RFC 6750 b64token: what may follow `Bearer `. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Parses a URL or throws: the runtime's WHATWG `URL`, `(s) => new URL(s)`. Passed in because core
 * names no runtime global (its typecheck has none), though every runtime Vigil runs in has one.
 */
export type ParseUrl = (raw: string) => { readonly protocol: string };

/** The variable, trimmed; undefined when unset or blank. */
export function envValue(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/** A decimal integer from `min` to `max`; `fallback` when unset. */
export function envInteger(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = envValue(env, name);
  if (raw === undefined) return fallback;
  // Digits only: Number() would also take '0x1f', '1e3' and ' '.
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return n;
}

/** A comma-separated list, entries trimmed and blank ones dropped; [] when unset. */
export function envList(env: Env, name: string): string[] {
  return (envValue(env, name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A URL whose scheme is one of `protocols` (`'https:'`), returned as written; null when unset. */
export function envUrl(
  env: Env,
  name: string,
  protocols: readonly string[],
  parseUrl: ParseUrl,
): string | null {
  const raw = envValue(env, name);
  if (raw === undefined) return null;
  let protocol: string;
  try {
    protocol = parseUrl(raw).protocol;
  } catch {
    throw new ConfigError(name, 'is not a URL');
  }
  if (!protocols.includes(protocol)) {
    throw new ConfigError(name, `must be a ${protocols.join(' or ')} URL, got ${protocol}`);
  }
  return raw;
}

/** A shared secret of at least MIN_SECRET_LENGTH characters; null when unset. */
export function envSecret(env: Env, name: string): string | null {
  const s = envValue(env, name);
  if (s === undefined) return null;
  if (s.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(name, `must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return s;
}

/** Comma-separated bearer keys, each a b64token of at least MIN_API_KEY_LENGTH; [] when unset. */
export function envBearerKeys(env: Env, name: string): string[] {
  const keys = envList(env, name);
  keys.forEach((k, i) => {
    // The key itself is never echoed: only which one is wrong.
    if (!B64TOKEN.test(k)) {
      throw new ConfigError(name, `key #${i + 1} has characters a bearer token cannot`);
    }
    if (k.length < MIN_API_KEY_LENGTH) {
      throw new ConfigError(name, `key #${i + 1} is shorter than ${MIN_API_KEY_LENGTH} characters`);
    }
  });
  return keys;
}
