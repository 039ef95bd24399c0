// Two runs into one --out: a run locks its directory while it runs (a lock file created
// exclusively, holding its pid), and a directory that already holds a run is refused unless
// --resume or --force; a lock left by a run that died is taken over.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCK_FILE, lockDirectory } from '../../src/cli/run-lock.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nabla-same-out-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const csv = join(tmp, 'small.csv');
const rows = ['a,b,label'];
for (let i = 0; i < 60; i++) rows.push(`${Math.sin(i)},${Math.cos(i * 0.7)},${Math.sin(i) > 0 ? 'x' : 'y'}`);
writeFileSync(csv, `${rows.join('\n')}\n`);

const args = (out: string, extra: string[] = []) => [
  main,
  ...['train', '--data', csv, '--target', 'label', '--epochs', '2', '--no-progress', '--out', out, ...extra],
];
const train = (out: string, extra: string[] = []) =>
  spawnSync(process.execPath, args(out, extra), { encoding: 'utf8' });

function trainAsync(out: string): Promise<{ status: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args(out), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => done({ status, stderr }));
  });
}

test('of two runs started together into one --out, one trains and the other is refused', async () => {
  const out = join(tmp, 'parent', 'same');
  const results = await Promise.all([trainAsync(out), trainAsync(out)]);
  const ok = results.filter((r) => r.status === 0);
  const refused = results.filter((r) => r.status === 1);
  assert.equal(ok.length, 1, results.map((r) => r.stderr).join('\n'));
  assert.equal(refused.length, 1);
  // Refused by the lock while the other runs, or by its files once it is done.
  assert.match(refused[0].stderr, /^nabla: --out \S+ (is in use by another run|already holds a run)/);
  assert.ok(!existsSync(join(out, LOCK_FILE)), 'the lock is removed when the run ends');
});

test('a second run into a directory holding a run is refused, naming it and the flags, and changes nothing', () => {
  const out = join(tmp, 'done');
  assert.equal(train(out).status, 0);
  const model = join(out, 'model.safetensors');
  const before = { bytes: readFileSync(model), mtime: statSync(model).mtimeMs };
  const r = train(out, ['--seed', '2']);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.equal(
    r.stderr,
    `nabla: --out ${out} already holds a run (model.safetensors, checkpoint.ckpt, metrics.json); continue it with --resume, replace it with --force, or choose another --out\n`,
  );
  assert.deepEqual(readFileSync(model), before.bytes);
  assert.equal(statSync(model).mtimeMs, before.mtime);
  assert.ok(!existsSync(join(out, LOCK_FILE)));

  const forced = train(out, ['--seed', '2', '--force']);
  assert.equal(forced.status, 0, forced.stdout + forced.stderr);
  assert.notDeepEqual(readFileSync(model), before.bytes, '--force replaces the model');
});

test('a directory locked by a live process is refused even with --force; its lock stays', () => {
  const out = join(tmp, 'locked');
  mkdirSync(out);
  writeFileSync(join(out, LOCK_FILE), `${process.pid}\n`); // this test's process: alive
  for (const extra of [[], ['--force']]) {
    const r = train(out, extra);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(
      r.stderr,
      `nabla: --out ${out} is in use by another run (process ${process.pid}, lock file ${join(out, LOCK_FILE)}); wait for it to end or choose another --out\n`,
    );
  }
  assert.equal(readFileSync(join(out, LOCK_FILE), 'utf8'), `${process.pid}\n`);
});

test('the lock of a run that died is taken over', () => {
  const out = join(tmp, 'stale');
  mkdirSync(out);
  const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  writeFileSync(join(out, LOCK_FILE), dead.stdout);
  const r = train(out);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(existsSync(join(out, 'model.safetensors')));
  assert.ok(!existsSync(join(out, LOCK_FILE)));
});

test('in one process a lock is held until unlocked, and unlocking leaves a lock taken over by another', () => {
  const dir = join(tmp, 'inproc');
  mkdirSync(dir);
  const unlock = lockDirectory(dir);
  assert.throws(() => lockDirectory(dir), /is in use by another run \(process \d+, lock file/);
  unlock();
  assert.ok(!existsSync(join(dir, LOCK_FILE)));
  const again = lockDirectory(dir);
  writeFileSync(join(dir, LOCK_FILE), '1\n'); // another run's now
  again();
  assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), '1\n');
});

test('--resume on a CSV edited in place since the run began is refused, naming the file', () => {
  const data = join(tmp, 'edited.csv');
  writeFileSync(data, readFileSync(csv));
  const out = join(tmp, 'resume-edited');
  const run = (extra: string[]) =>
    spawnSync(
      process.execPath,
      [main, 'train', '--data', data, '--target', 'label', '--epochs', '2', '--no-progress', '--out', out, ...extra],
      { encoding: 'utf8' },
    );
  assert.equal(run([]).status, 0);
  assert.equal(run(['--resume']).status, 0, 'the same file resumes');
  // The same rows count, one value changed.
  writeFileSync(data, readFileSync(data, 'utf8').replace(/\n0\.\d+/, '\n0.5'));
  const r = run(['--resume']);
  assert.equal(r.status, 1, r.stdout);
  assert.equal(
    r.stderr,
    `nabla: --resume: ${data} has changed since the run in ${join(out, 'checkpoint.ckpt')} began (its SHA-256 differs): resuming would train on other data; start again with --force\n`,
  );
});

test('a symbolic link planted in --out where a run writes is refused before the run, and nothing is written through it', () => {
  const out = join(tmp, 'planted');
  mkdirSync(out);
  const outside = join(tmp, 'outside.html');
  writeFileSync(outside, 'not yours');
  symlinkSync(outside, join(out, 'report.html'));
  for (const extra of [[], ['--force']]) {
    const r = train(out, extra);
    assert.equal(r.status, 1, r.stdout);
    assert.equal(
      r.stderr,
      `nabla: --out ${out}: report.html is a symbolic link (to ${outside}); a run writes its files in the directory itself, never through a link: remove it\n`,
    );
  }
  assert.equal(readFileSync(outside, 'utf8'), 'not yours');
  assert.ok(!existsSync(join(out, 'model.safetensors')));
});
