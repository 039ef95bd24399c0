// The published package as `npm pack` makes it, and an empty project to install it into, offline:
// what test/package and the native package's test share.

import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// npm as a user's shell runs it: without the npm_* variables that `npm test` passes its children
// (its config, the repository's settings), and never reaching for the network.
export const npmEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))),
  npm_config_offline: 'true',
};

export function run(command: string, args: string[], cwd: string, options: SpawnSyncOptions = {}) {
  const r = spawnSync(command, args, { cwd, env: npmEnv, encoding: 'utf8', ...options });
  assert.equal(r.error, undefined, `${command} did not start: ${r.error}`);
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Whether npm runs here. */
export function hasNpm(): boolean {
  return !spawnSync('npm', ['--version'], { env: npmEnv }).error;
}

/** What `npm pack --json` says of a tarball. */
export interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

/**
 * Packs nabla into dir as `npm pack` does, from the build that is there: the repository's packable
 * part (the top folders `files` names) staged in dir/stage, prepack's manifest step, then the pack.
 */
export function packMain(dir: string): Packed & { path: string } {
  const stage = join(dir, 'stage');
  const tops = new Set([
    'package.json',
    'scripts',
    ...manifest.files.filter((f: string) => !f.startsWith('!')).map((f: string) => f.split('/')[0]),
  ]);
  for (const top of tops) cpSync(join(root, top), join(stage, top), { recursive: true });
  const written = run(process.execPath, ['scripts/pack-manifest.mjs', 'write'], stage);
  assert.equal(written.status, 0, written.stderr);
  const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], stage);
  assert.equal(pack.status, 0, pack.stderr);
  const [packed] = JSON.parse(pack.stdout) as [Packed];
  return { ...packed, path: join(dir, packed.filename) };
}

/**
 * The lockfile entries of nabla's dependencies and theirs, as the repository has them installed.
 * npm 11 resolves a version range from the registry's full package document, and an npm cache
 * filled by an earlier install holds the abbreviated one, so `--offline` cannot resolve
 * `commander@^14` from it; a lockfile gives the versions and integrities, and the tarballs come
 * from the cache by integrity, as in a consumer's project with its own lockfile.
 */
function lockedDependencies(): Record<string, unknown> {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const entries: Record<string, unknown> = {};
  const todo = Object.keys(manifest.dependencies);
  for (let name = todo.pop(); name !== undefined; name = todo.pop()) {
    const key = `node_modules/${name}`;
    if (entries[key]) continue;
    assert.ok(lock.packages[key], `package-lock.json has no ${key}`);
    const { dev, optional, devOptional, peer, ...entry } = lock.packages[key];
    entries[key] = entry;
    todo.push(...Object.keys(entry.dependencies ?? {}));
  }
  return entries;
}

/** An empty ES-module project at dir, with a lockfile holding nabla's dependencies (see above). */
export function emptyProject(dir: string): string {
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), '{"name": "consumer", "private": true, "type": "module"}\n');
  const lock = { name: 'consumer', lockfileVersion: 3, requires: true, packages: { '': {}, ...lockedDependencies() } };
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock));
  return dir;
}
