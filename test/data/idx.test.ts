import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadMnistDir, parseIdx } from '../../src/data/idx.js';

/** An IDX file by hand: magic, big-endian sizes, then the bytes. */
function idx(type: number, shape: number[], body: number[]): Uint8Array {
  const head = [0, 0, type, shape.length];
  for (const s of shape) head.push((s >>> 24) & 255, (s >>> 16) & 255, (s >>> 8) & 255, s & 255);
  return Uint8Array.from([...head, ...body]);
}

test('reads unsigned bytes, big-endian ints and floats, gzipped or not', () => {
  const images = idx(0x08, [2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
  for (const bytes of [images, gzipSync(images)]) {
    const a = parseIdx(bytes, 'img');
    assert.deepEqual(a.shape, [2, 2, 3]);
    assert.deepEqual(Array.from(a.data), [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
  }
  assert.deepEqual(Array.from(parseIdx(idx(0x0c, [2], [0, 0, 1, 2, 255, 255, 255, 254])).data), [258, -2]);
  assert.deepEqual(Array.from(parseIdx(idx(0x0d, [1], [0x3f, 0xc0, 0, 0])).data), [1.5]);
});

test('a wrong magic number or a size that disagrees with the header fails naming the file', () => {
  assert.throws(
    () => parseIdx(Uint8Array.from([0, 0, 0x20, 1, 0, 0, 0, 0]), 'bad.idx'),
    /bad\.idx: byte 0: wrong magic number 0x00002001/,
  );
  assert.throws(
    () => parseIdx(Uint8Array.from([0x50, 0x4b, 3, 4]), 'zip.idx'),
    /zip\.idx: byte 0: wrong magic number 0x504b0304/,
  );
  assert.throws(
    () => parseIdx(idx(0x08, [2, 3], [1, 2, 3, 4, 5]), 'short.idx'),
    /short\.idx: the header says 2×3 values of type unsigned byte \(18 bytes in all\), but the file has 17 bytes/,
  );
  assert.throws(
    () => parseIdx(idx(0x08, [1], [1, 2]), 'long.idx'),
    /long\.idx: .*9 bytes in all\), but the file has 10/,
  );
});

test('loadMnistDir reads the four files (gzipped), scales pixels to [0, 1]', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-idx-'));
  try {
    writeFileSync(
      join(dir, 'train-images-idx3-ubyte.gz'),
      gzipSync(idx(0x08, [2, 2, 2], [0, 255, 51, 102, 255, 0, 0, 0])),
    );
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx(0x08, [2], [3, 7]));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idx(0x08, [1, 2, 2], [1, 2, 3, 4]));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx(0x08, [1], [9]));
    const { train, test: t } = loadMnistDir(dir);
    assert.deepEqual(train.inputs.shape, [2, 4]);
    assert.deepEqual(Array.from(train.inputs.data.subarray(0, 4)), [0, 1, Math.fround(0.2), Math.fround(0.4)]);
    assert.deepEqual(Array.from(train.targets.data), [3, 7]);
    assert.deepEqual(Array.from(t.targets.data), [9]);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx(0x08, [2], [9, 1]));
    assert.throws(() => loadMnistDir(dir), /t10k-labels-idx1-ubyte: 2 labels for 1 images/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a label outside 0..9 fails when the label file is read, naming the file and the index', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-idx-'));
  try {
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), idx(0x08, [3, 1, 1], [0, 0, 0]));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx(0x08, [3], [1, 2, 10]));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idx(0x08, [1, 1, 1], [0]));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx(0x08, [1], [9]));
    assert.throws(
      () => loadMnistDir(dir),
      /train-labels-idx1-ubyte: label at index 2 is 10, expected an integer class 0\.\.9/,
    );
    // Signed labels (type 0x09) can be negative.
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx(0x09, [3], [1, 255, 2]));
    assert.throws(() => loadMnistDir(dir), /train-labels-idx1-ubyte: label at index 1 is -1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
