// A run that fails keeps what it wrote of value and touches nothing it did not make: its
// checkpoints stay (and it says how to resume), only the empty directories it made go, and a run
// beside it under a new shared parent keeps its files. Diverging SGD gives the failure after a few
// checkpoints; a small tmpfs gives a full disk where mounting is allowed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeRunDirectory } from '../../src/cli/run-directory.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nabla-failed-run-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

// Two features decide the class; a third is noise. Plain SGD at a large rate diverges after a few epochs.
const csv = join(tmp, 'small.csv');
const rows = ['a,b,c,label'];
for (let i = 0; i < 200; i++) {
  const [a, b, c] = [Math.sin(i * 1.3) * 3, Math.cos(i * 0.7) * 3, Math.sin(i * 0.31) * 3];
  rows.push(`${a.toFixed(3)},${b.toFixed(3)},${c.toFixed(3)},${a + b > 0 ? 'x' : 'y'}`);
}
writeFileSync(csv, `${rows.join('\n')}\n`);

function train(out: string, lr: number, extra: string[] = []) {
  const args = ['train', '--data', csv, '--target', 'label', '--optimizer', 'sgd', '--lr', String(lr)];
  args.push('--epochs', '300', '--early-stopping', '0', '--schedule', 'none', '--out', out, ...extra);
  return spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });
}

test('a run that diverges after some epochs keeps its checkpoint, its new parent and says how to resume', () => {
  const parent = join(tmp, 'runs');
  const out = join(parent, 'div');
  const r = train(out, 5);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /training stopped: the loss is (NaN|Infinity) at epoch \d+/);
  assert.match(
    r.stderr,
    new RegExp(`kept the last checkpoint, ${join(out, 'checkpoint.ckpt')}; continue from it with --resume`),
  );
  assert.deepEqual(readdirSync(out), ['checkpoint.ckpt']);
});

test('a run that fails before its first checkpoint removes the empty directories it made, and only those', () => {
  const parent = join(tmp, 'fresh');
  const r = train(join(parent, 'div'), 500);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.doesNotMatch(r.stderr, /kept the last checkpoint/);
  assert.ok(!existsSync(parent), `${parent} is left behind`);
  assert.ok(existsSync(tmp));
});

test("a failed run's cleanup leaves what another run put under the parent they share", () => {
  const shared = join(tmp, 'exp');
  const cleanUp = makeRunDirectory(join(shared, 'b'));
  mkdirSync(join(shared, 'a'));
  writeFileSync(join(shared, 'a', 'checkpoint.ckpt'), 'the other run');
  cleanUp.failed();
  assert.ok(!existsSync(join(shared, 'b')));
  assert.deepEqual(readdirSync(join(shared, 'a')), ['checkpoint.ckpt']);
  rmSync(join(shared, 'a'), { recursive: true });
  const again = makeRunDirectory(join(shared, 'c', 'd'));
  again.failed(); // exp existed already: only c/d and c go
  assert.deepEqual(readdirSync(shared), []);
});

test('a full disk at a later checkpoint keeps the one before it', (t) => {
  const mnt = join(tmp, 'mnt');
  mkdirSync(mnt);
  // One checkpoint of this model is about 11 kB: 16 kB hold the first but not the second beside it.
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', mnt], { encoding: 'utf8' });
  if (mount.status !== 0) {
    t.skip(`cannot mount a tmpfs here (${(mount.stderr || String(mount.error)).trim()})`);
    return;
  }
  try {
    const out = join(mnt, 'run');
    const r = train(out, 0.05);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /checkpoint\.ckpt: cannot write the file \(ENOSPC\)/);
    assert.match(r.stderr, /kept the last checkpoint/);
    assert.deepEqual(readdirSync(out), ['checkpoint.ckpt']);
  } finally {
    spawnSync('umount', [mnt]);
  }
});

test('a read-only --out is refused before any training, naming the directory and the reason', (t) => {
  const mnt = join(tmp, 'ro');
  mkdirSync(mnt);
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=16k', 'tmpfs', mnt], { encoding: 'utf8' });
  if (mount.status !== 0) {
    t.skip(`cannot mount a tmpfs here (${(mount.stderr || String(mount.error)).trim()})`);
    return;
  }
  try {
    const existing = train(mnt, 0.05);
    assert.equal(existing.status, 1);
    assert.equal(
      existing.stderr,
      `nabla: --out ${mnt}: cannot create the lock file ${join(mnt, '.nabla.lock')} (EROFS)\n`,
    );
    assert.doesNotMatch(existing.stdout, /epoch/);
    const fresh = train(join(mnt, 'new', 'run'), 0.05);
    assert.equal(fresh.stderr, `nabla: --out ${join(mnt, 'new', 'run')}: cannot make the directory (EROFS)\n`);
  } finally {
    spawnSync('umount', [mnt]);
  }
});
