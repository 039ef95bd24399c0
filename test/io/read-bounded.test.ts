// Every input file is read through readBounded: a FIFO, a device or a directory is an error at
// once (never a hang or an endless read), a file over the cap is refused before it is read, and
// a gzip'd IDX file stops decompressing at the cap.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readBounded } from '../../src/io/read-bounded.js';
import { load, loadCheckpoint, inspect, ModelFileError, loadStateDict } from '../../src/io/index.js';
import { readCsvFile } from '../../src/data/csv-table.js';
import { parseIdx, readIdx } from '../../src/data/idx.js';
import { DataFileError } from '../../src/data/errors.js';
import { nn, optim } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'nabla-bounded-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const fail = (problem: string) => new Error(`x: ${problem}`);

test('a FIFO is refused at once, without waiting for a writer', { timeout: 5000 }, () => {
  const fifo = join(dir, 'pipe.csv');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  assert.throws(
    () => readBounded(fifo, 100, 'CSV file', fail),
    /^Error: x: is a FIFO \(named pipe\), expected a regular CSV file$/,
  );
  assert.throws(
    () => readCsvFile(fifo),
    (e) => e instanceof DataFileError && e.message === `${fifo}: is a FIFO (named pipe), expected a regular CSV file`,
  );
  assert.throws(
    () => readIdx(fifo),
    (e) => e instanceof DataFileError && /is a FIFO/.test(e.message),
  );
  assert.throws(
    () => load(fifo),
    (e) =>
      e instanceof ModelFileError && e.message === `${fifo}: is a FIFO (named pipe), expected a regular model file`,
  );
});

test('a character device and a directory are refused, never read', { timeout: 5000 }, () => {
  assert.throws(
    () => readCsvFile('/dev/zero'),
    /^DataFileError: \/dev\/zero: is a character device, expected a regular CSV file$/,
  );
  assert.throws(
    () => inspect('/dev/zero'),
    (e) => e instanceof ModelFileError && /is a character device/.test(e.message),
  );
  assert.throws(
    () => loadStateDict(dir),
    (e) => e instanceof ModelFileError && e.message === `${dir}: is a directory, expected a regular model file`,
  );
  const model = new nn.Sequential(new nn.Linear(2, 1));
  assert.throws(
    () => loadCheckpoint('/dev/zero', { model, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }) }),
    ModelFileError,
  );
  assert.throws(() => readIdx(join(dir, 'missing')), /missing: cannot read the IDX file \(ENOENT\)/);
});

test('a file over the cap is refused by its size', () => {
  const file = join(dir, 'big.csv');
  writeFileSync(file, 'a,b\n1,2\n3,4\n');
  assert.throws(() => readCsvFile(file, 8), /big\.csv: the CSV file has 12 bytes, more than the limit of 8 bytes$/);
  assert.equal(readCsvFile(file, 12).length, 2);
  assert.equal(readBounded(file, 12, 'CSV file', fail).length, 12);
});

test('a file that reads longer than its size (procfs reports 0) still stops at the cap', () => {
  // /proc files are regular files of size 0 whose reads return text: the read loop enforces the cap.
  assert.throws(
    () => readBounded('/proc/self/status', 16, 'CSV file', fail),
    /^Error: x: the CSV file grew past the limit of 16 bytes while it was read$/,
  );
  assert.ok(readBounded('/proc/self/status', 1 << 20, 'CSV file', fail).length > 16);
});

test('a gzip bomb stops decompressing at the cap', () => {
  // 64 MiB of zeros behind a valid IDX header compress to about 64 KB.
  const body = new Uint8Array(8 + 2 ** 26);
  body.set([0, 0, 8, 1, 0x04, 0, 0, 0]);
  const bomb = gzipSync(body);
  assert.ok(bomb.length < 2 ** 20);
  assert.throws(
    () => parseIdx(bomb, 'bomb.gz', 2 ** 20),
    /^DataFileError: bomb\.gz: gzip data decompresses to more than the limit of 1048576 bytes$/,
  );
  const file = join(dir, 'bomb-idx1-ubyte.gz');
  writeFileSync(file, bomb);
  assert.throws(() => readIdx(file, 2 ** 20), /gzip data decompresses to more than the limit/);
});

test('CSV lines are decoded one by one: CRLF, a byte-order mark and a last line without newline', () => {
  const file = join(dir, 'crlf.csv');
  writeFileSync(file, Buffer.from('\ufeffx,y\r\n1,a\r\n\r\n2,b', 'utf8'));
  const t = readCsvFile(file);
  assert.deepEqual(t.header, ['x', 'y']);
  assert.deepEqual(
    [t.row(0), t.row(1)],
    [
      ['1', 'a'],
      ['2', 'b'],
    ],
  );
  assert.deepEqual(Array.from(t.lines), [2, 4]);
});
