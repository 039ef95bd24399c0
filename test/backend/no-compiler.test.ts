// A fresh clone on a machine with no C compiler: `npm ci` must succeed (the native build says
// one line and steps aside), and nabla must build and train on wasm. The clone is of the
// committed HEAD; npm runs with only node, npm and sh on PATH, offline from the npm cache that the
// outer install filled. About a minute: most of it is npm ci and tsc.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? realpathSync(r.stdout.trim()) : null;
}

test('a fresh clone with no C compiler on PATH installs, builds and trains on wasm', (t) => {
  const git = which('git');
  const npm = which('npm');
  if (!git || !npm || spawnSync(git, ['-C', root, 'rev-parse', 'HEAD']).status !== 0)
    return t.skip('needs git, npm and a git checkout');
  const dir = mkdtempSync(join(tmpdir(), 'nabla-nocc-'));
  try {
    const clone = join(dir, 'clone');
    assert.equal(spawnSync(git, ['clone', '--quiet', root, clone]).status, 0, 'git clone failed');
    // A PATH holding node, npm and the shell npm runs scripts with: no cc, gcc or clang.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    symlinkSync(npm, join(bin, 'npm'));
    symlinkSync(realpathSync('/bin/sh'), join(bin, 'sh'));
    for (const cc of ['cc', 'gcc', 'clang'])
      assert.equal(
        spawnSync(cc, ['--version'], { env: { PATH: bin } }).error !== undefined,
        true,
        `${cc} is reachable`,
      );
    const env: Record<string, string> = { PATH: bin, HOME: process.env.HOME ?? dir };
    const opts: SpawnSyncOptions = { cwd: clone, env, encoding: 'utf8' };
    const install = spawnSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], opts);
    assert.equal(install.status, 0, `npm ci failed:\n${install.stdout}\n${install.stderr}`);
    assert.match(
      String(install.stdout),
      /nabla: native backend not built \(no C compiler on PATH\); nabla runs on wasm/,
    );
    const build = spawnSync('npm', ['run', 'build'], opts);
    assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}\n${build.stderr}`);
    const csv = join(dir, 'xor.csv');
    writeFileSync(
      csv,
      'a,b,label\n' +
        Array.from({ length: 64 }, (_, i) => `${i & 1},${(i >> 1) & 1},${(i & 1) ^ ((i >> 1) & 1)}`).join('\n') +
        '\n',
    );
    const script = `
      import { getBackend, listBackends } from './dist/src/index.js';
      console.log(JSON.stringify({ backend: getBackend(), backends: listBackends() }));`;
    const which_ = spawnSync('node', ['--input-type=module', '-e', script], opts);
    assert.equal(which_.status, 0, String(which_.stderr));
    assert.deepEqual(JSON.parse(String(which_.stdout)), { backend: 'wasm', backends: ['js', 'wasm'] });
    const train = spawnSync(
      'node',
      [
        'dist/src/cli/main.js',
        'train',
        '--data',
        csv,
        '--target',
        'label',
        '--epochs',
        '2',
        '--out',
        join(dir, 'run'),
        '--no-progress',
      ],
      opts,
    );
    assert.equal(train.status, 0, `training failed:\n${train.stdout}\n${train.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
