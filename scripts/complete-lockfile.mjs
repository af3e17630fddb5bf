#!/usr/bin/env node
// Why: the npm registry this project builds against serves only the Linux builds of rollup's
// per-platform native packages (a dependency of vitest's vite). `npm install` then writes a lock
// file without the other platforms' optional entries, and `npm ci` refuses it ("Missing: … from
// lock file"). This adds those entries back as optional, platform-bound packages, which npm ci
// skips on any other platform without downloading anything. Run after `npm install` changes the
// lock file: `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const pkgs = lock.packages;
const CPU = {
  arm: 'arm',
  'arm-eabi': 'arm',
  arm64: 'arm64',
  x64: 'x64',
  ia32: 'ia32',
  loong64: 'loong64',
  ppc64: 'ppc64',
  riscv64: 'riscv64',
  s390x: 's390x',
};
let added = 0;
for (const [where, meta] of Object.entries(pkgs)) {
  if (!where.endsWith('node_modules/rollup') || !meta.optionalDependencies) continue;
  for (const [name, version] of Object.entries(meta.optionalDependencies)) {
    const key = `node_modules/${name}`;
    if (pkgs[key]) continue;
    // @rollup/rollup-<os>-<cpu>[-<abi>]
    const [os, cpu, abi = ''] = name.replace('@rollup/rollup-', '').split('-');
    const entry = {
      version,
      cpu: [CPU[cpu] ?? cpu],
      dev: true,
      license: 'MIT',
      optional: true,
      os: [os],
    };
    if (os === 'linux') entry.libc = [abi.startsWith('musl') ? 'musl' : 'glibc'];
    pkgs[key] = entry;
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: added ${added} optional platform entries`);
