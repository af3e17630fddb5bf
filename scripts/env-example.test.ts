/**
 * `.env.example` lists every variable the apps read: each name a loadConfig (edge, backplane)
 * reads, and each variable docker-compose.yml sets for the Vigil services, appears in it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './system.js';

const read = (p: string) => readFileSync(join(REPO_ROOT, p), 'utf8');
const documented = new Set(
  [...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!),
);
const readBy = (source: string) =>
  new Set(
    [...source.matchAll(/'((?:VIGIL|KAFKA|DATABASE|UPSTASH|REDIS)_[A-Z0-9_]+|PORT)'/g)].map(
      (m) => m[1]!,
    ),
  );

describe('.env.example', () => {
  it.each([
    ['edge', 'edge/src/config/load-config.ts'],
    ['backplane', 'backplane/src/config/load-config.ts'],
  ])('names every variable the %s reads', (_, file) => {
    const names = [...readBy(read(file))];
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((n) => !documented.has(n))).toEqual([]);
  });
  it('names every Vigil variable docker-compose.yml sets', () => {
    const compose = read('docker-compose.yml');
    const set = [
      ...compose.matchAll(/^\s+((?:VIGIL|KAFKA_BROKERS|DATABASE|UPSTASH)[A-Z0-9_]*):/gm),
    ].map((m) => m[1]!);
    expect(set.length).toBeGreaterThan(5);
    expect(set.filter((n) => !documented.has(n))).toEqual([]);
  });
});
