// Adds lockfile entries for other platforms' optional binaries (biome, swc, nx, …) that this
// machine's package registry does not serve. npm omits them from package-lock.json when it cannot
// fetch them, and `npm ci` then refuses the lockfile as out of sync. The entries carry the `os`
// and `cpu` npm uses to skip them here, so nothing is ever downloaded for them.
// Run after any `npm install` that changes dependencies: `node tools/fill-lockfile-platforms.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

const pick = (name, table, fallback) => table.find(([pattern]) => pattern.test(name))?.[1] ?? fallback;
const OS = [
  [/darwin/, 'darwin'],
  [/win32/, 'win32'],
  [/freebsd/, 'freebsd'],
  [/android/, 'android'],
];
const CPU = [
  [/arm64/, 'arm64'],
  [/ia32/, 'ia32'],
  [/ppc64/, 'ppc64'],
  [/s390x/, 's390x'],
  [/arm-|armv7|gnueabihf/, 'arm'],
];

let added = 0;
for (const meta of Object.values(packages)) {
  for (const [dependency, range] of Object.entries(meta.optionalDependencies ?? {})) {
    const key = `node_modules/${dependency}`;
    if (packages[key]) continue;
    const entry = {
      version: range.replace(/^[\^~]/, ''),
      cpu: [pick(dependency, CPU, 'x64')],
      os: [pick(dependency, OS, 'linux')],
      optional: true,
    };
    if (/musl/.test(dependency)) entry.libc = ['musl'];
    if (meta.dev) entry.dev = true;
    packages[key] = entry;
    added++;
  }
}

// npm keeps the root entry first and the rest sorted.
const [root, ...rest] = Object.keys(packages);
lock.packages = Object.fromEntries([root, ...rest.sort()].map((key) => [key, packages[key]]));
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} platform entries`);
