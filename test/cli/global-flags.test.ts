// The flags every command takes: --version prints package.json's version, --backend picks the
// backend the run names in its settings line and metrics.json (an unknown one is refused naming
// the flag and what is available), --threads is checked as the other integer flags are, and --log
// writes each epoch's line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nabla-flags-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));
const nabla = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: tmp });

test("--version prints package.json's version", () => {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const r = nabla(flag);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, `${version}\n`);
  }
});

test('--backend js and --threads 1 train on js, named in the settings line and metrics.json; --log writes the epochs', () => {
  const csv = join(tmp, 'd.csv');
  writeFileSync(csv, `a,b,y\n${Array.from({ length: 20 }, (_, i) => `${i % 5},${(i * 7) % 3},${i % 2}`).join('\n')}\n`);
  const out = join(tmp, 'run');
  const r = nabla(
    'train',
    '--data',
    csv,
    '--target',
    'y',
    '--epochs',
    '2',
    '--log',
    join(tmp, 'epochs.csv'),
    '--out',
    out,
    '--backend',
    'js',
    '--threads',
    '1',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /, backend js → /);
  assert.equal((JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as { backend: string }).backend, 'js');
  const [header, ...rows] = readFileSync(join(tmp, 'epochs.csv'), 'utf8').trimEnd().split('\n');
  assert.match(header, /^epoch,lr,seconds,loss,accuracy,valLoss,valAccuracy$/);
  assert.deepEqual(
    rows.map((r) => r.split(',')[0]),
    ['1', '2'],
  );
});

test('an unknown --backend and a bad --threads are refused naming the flag', () => {
  const bad = nabla('explain', '--layers', '2,3', '--backend', 'cuda');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^nabla: --backend cuda: unknown backend 'cuda' \(available: js, wasm/);
  const threads = nabla('explain', '--layers', '2,3', '--threads', '0');
  assert.equal(threads.status, 1);
  assert.match(threads.stderr, /option '--threads <n>' argument '0' is invalid\. expected an integer in 1\.\.4096/);
});
