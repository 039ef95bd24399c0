// writeFileAtomic replaces nothing but a regular file: a device, FIFO or directory at the path
// is refused and left as it was, a symlink is written through, stray temp files of a killed
// writer are removed by the next write, and errors name the file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { FileWriteError } from '../../src/io/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'nabla-atomic-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const bytes = Buffer.from('new');
const refused = (file: string, problem: string) => (e: unknown) =>
  e instanceof FileWriteError && e.file === file && e.message === `${file}: ${problem}`;

test('a FIFO and a directory at the path are refused and left in place', { timeout: 5000 }, () => {
  const fifo = join(dir, 'fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  assert.throws(
    () => writeFileAtomic(fifo, bytes),
    refused(fifo, 'is a FIFO (named pipe), not a regular file; refusing to replace it'),
  );
  assert.ok(lstatSync(fifo).isFIFO());
  const sub = join(dir, 'sub');
  mkdirSync(sub);
  assert.throws(
    () => writeFileAtomic(sub, bytes),
    refused(sub, 'is a directory, not a regular file; refusing to replace it'),
  );
  assert.ok(statSync(sub).isDirectory());
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.endsWith('.tmp')),
    [],
  );
});

test('a character device is refused and stays a device (as root, where mknod works)', (t) => {
  if (process.getuid?.() !== 0) return t.skip('mknod needs root');
  const device = join(dir, 'null-device');
  assert.equal(spawnSync('mknod', [device, 'c', '1', '3']).status, 0);
  assert.throws(
    () => writeFileAtomic(device, bytes),
    refused(device, 'is a character device, not a regular file; refusing to replace it'),
  );
  assert.ok(lstatSync(device).isCharacterDevice());
});

test('a symlink is written through: the file it points to changes, the link stays', () => {
  const real = join(dir, 'real.txt');
  writeFileSync(real, 'old');
  const link = join(dir, 'link.txt');
  symlinkSync(real, link);
  writeFileAtomic(link, bytes);
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.equal(readlinkSync(link), real);
  assert.equal(readFileSync(real, 'utf8'), 'new');
  const dangling = join(dir, 'dangling.txt');
  symlinkSync(join(dir, 'nowhere'), dangling);
  assert.throws(
    () => writeFileAtomic(dangling, bytes),
    refused(dangling, 'is a symlink to a missing file; refusing to write through it'),
  );
});

test('stray temp files of a writer that is gone are removed by the next write; a live one stays', () => {
  const target = join(dir, 'model.safetensors');
  const stray = join(dir, '.model.safetensors.999999999.abcd1234.tmp'); // above Linux's largest pid
  const live = join(dir, `.model.safetensors.${process.pid}.live.tmp`);
  const other = join(dir, '.other.999999999.abcd1234.tmp');
  for (const f of [stray, live, other]) writeFileSync(f, 'partial');
  writeFileAtomic(target, bytes);
  assert.equal(readFileSync(target, 'utf8'), 'new');
  assert.deepEqual(
    readdirSync(dir)
      .filter((n) => n.endsWith('.tmp'))
      .sort(),
    [`.model.safetensors.${process.pid}.live.tmp`, '.other.999999999.abcd1234.tmp'],
  );
});

test('a write that fails names the file and the reason', () => {
  const target = join(dir, 'missing-dir', 'metrics.json');
  assert.throws(() => writeFileAtomic(target, bytes), refused(target, 'cannot write the file (ENOENT)'));
  const file = join(dir, 'plain.txt');
  writeFileSync(file, 'x');
  const under = join(file, 'metrics.json'); // a path through a regular file
  assert.throws(() => writeFileAtomic(under, bytes), refused(under, 'cannot write the file (ENOTDIR)'));
});
