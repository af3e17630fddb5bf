import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEV_SECRET_NAMES, loadDevSecrets } from './dev-secrets.js';

const dirs: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-secrets-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('loadDevSecrets', () => {
  it('generates every secret once, into a 0600 file, and reuses them on the next start', () => {
    const d = dir();
    const first = loadDevSecrets(d, {});
    expect(first.generated).toEqual([...DEV_SECRET_NAMES]);
    expect(first.values.VIGIL_API_KEYS).toMatch(/^vigil_dev_[A-Za-z0-9_-]{43}$/);
    expect(new Set(Object.values(first.values)).size).toBe(4);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    const second = loadDevSecrets(d, {});
    expect(second.generated).toEqual([]);
    expect(second.kept).toEqual([...DEV_SECRET_NAMES]);
    expect(second.values).toEqual(first.values);
  });

  it('lets variables the user sets win, without writing them to the file', () => {
    const d = dir();
    const mine = 'my_own_key_0123456789';
    const s = loadDevSecrets(d, {
      VIGIL_API_KEYS: ` ${mine} `,
      VIGIL_SESSION_SECRET: 'session-secret-0123456789',
    });
    expect(s.values.VIGIL_API_KEYS).toBe(mine);
    expect(s.values.VIGIL_SESSION_SECRET).toBe('session-secret-0123456789');
    expect(s.kept).toEqual(['VIGIL_EVENTS_SECRET', 'VIGIL_HUB_SECRET']);
    const file = readFileSync(s.file, 'utf8');
    expect(file).not.toContain(mine);
    expect(Object.keys(JSON.parse(file) as object).sort()).toEqual([
      'VIGIL_EVENTS_SECRET',
      'VIGIL_HUB_SECRET',
    ]);
    // Unset again: the key is generated and added; the secrets already kept stay.
    const later = loadDevSecrets(d, {});
    expect(later.generated).toEqual(['VIGIL_API_KEYS', 'VIGIL_SESSION_SECRET']);
    expect(later.values.VIGIL_EVENTS_SECRET).toBe(s.values.VIGIL_EVENTS_SECRET);
  });

  it('refuses a damaged file naming it, and tightens a loose mode', () => {
    const d = dir();
    const file = join(d, 'secrets.json');
    writeFileSync(file, '{"VIGIL_API_KEYS": 42}');
    expect(() => loadDevSecrets(d, {})).toThrow(`${file} has a malformed VIGIL_API_KEYS`);
    writeFileSync(file, 'not json');
    expect(() => loadDevSecrets(d, {})).toThrow(/is not JSON.*delete it/);
    const good = `{"VIGIL_HUB_SECRET": "${'h'.repeat(43)}"}`;
    writeFileSync(file, good, { mode: 0o644 });
    loadDevSecrets(d, {});
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
