// IDX, the MNIST file format: magic 0x00 0x00 <type> <rank>, then `rank` big-endian uint32
// sizes, then the values big-endian. Files ending in gzip's magic (1f 8b) are gunzipped first.
// Both the file and its decompressed contents are capped (MAX_IDX_BYTES): a small gzip can hold
// gigabytes of zeros, and gunzip stops as soon as its output passes the cap.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Tensor } from '../tensor.js';
import { readBounded } from '../io/read-bounded.js';
import { DataFileError } from './errors.js';
import { TensorDataset } from './dataset.js';

/** An IDX file's array: its shape and values. */
export interface IdxArray {
  /** The sizes from the header, e.g. [60000, 28, 28]. */
  shape: number[];
  /** The values as numbers (bytes stay 0..255; scale them yourself). */
  data: Float32Array | Float64Array;
}

const types: Record<number, { name: string; bytes: number; read: (v: DataView, o: number) => number }> = {
  0x08: { name: 'unsigned byte', bytes: 1, read: (v, o) => v.getUint8(o) },
  0x09: { name: 'signed byte', bytes: 1, read: (v, o) => v.getInt8(o) },
  0x0b: { name: 'short', bytes: 2, read: (v, o) => v.getInt16(o) },
  0x0c: { name: 'int', bytes: 4, read: (v, o) => v.getInt32(o) },
  0x0d: { name: 'float', bytes: 4, read: (v, o) => v.getFloat32(o) },
  0x0e: { name: 'double', bytes: 8, read: (v, o) => v.getFloat64(o) },
};

/** The largest IDX file, and the largest decompressed gzip'd one, read (1 GiB; MNIST's largest is 47 MB). */
export const MAX_IDX_BYTES = 2 ** 30;

/**
 * Parses IDX bytes (the MNIST format: magic 0x0000TTRR, big-endian sizes, then big-endian values of any IDX type; gzipped bytes are gunzipped first, at most maxBytes). Errors are DataFileErrors naming `file` and the byte.
 */
export function parseIdx(bytes: Uint8Array, file = '<idx>', maxBytes = MAX_IDX_BYTES): IdxArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: maxBytes });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new DataFileError(file, null, `gzip data decompresses to more than the limit of ${maxBytes} bytes`);
      }
      throw new DataFileError(file, null, `gzip data is corrupt (${(e as Error).message})`);
    }
  }
  const hex = (k: number) => Array.from(bytes.subarray(0, k), (b) => b.toString(16).padStart(2, '0')).join('');
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || !(bytes[2] in types) || bytes[3] === 0) {
    throw new DataFileError(
      file,
      null,
      `byte 0: wrong magic number 0x${hex(4)}, expected 0x0000TTRR (TT a type code 08..0e, RR the rank), e.g. 0x00000803 for images`,
    );
  }
  const type = types[bytes[2]];
  const rank = bytes[3];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes)
    throw new DataFileError(
      file,
      null,
      `byte ${bytes.length}: the header needs ${headerBytes} bytes for rank ${rank}, the file ends first`,
    );
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.bytes;
  if (bytes.length !== expected) {
    throw new DataFileError(
      file,
      null,
      `the header says ${shape.join('×')} values of type ${type.name} (${expected} bytes in all), but the file has ${bytes.length} bytes`,
    );
  }
  const data = type.bytes === 8 ? new Float64Array(count) : new Float32Array(count);
  if (type.bytes === 1 && bytes[2] === 0x08) data.set(bytes.subarray(headerBytes));
  else for (let i = 0; i < count; i++) data[i] = type.read(view, headerBytes + i * type.bytes);
  // Float files may hold NaN or infinities, which would train into NaN weights: refused here.
  if (type.name === 'float' || type.name === 'double') {
    for (let i = 0; i < count; i++) {
      if (!Number.isFinite(data[i]))
        throw new DataFileError(
          file,
          null,
          `byte ${headerBytes + i * type.bytes}: value ${i} is ${data[i]}, expected a finite number`,
        );
    }
  }
  return { shape, data };
}

/** Reads and parses an IDX file (gzipped or not); see parseIdx. */
export function readIdx(path: string, maxBytes = MAX_IDX_BYTES): IdxArray {
  return parseIdx(
    readBounded(path, maxBytes, 'IDX file', (problem) => new DataFileError(path, null, problem)),
    path,
    maxBytes,
  );
}

const MNIST_CLASSES = 10;

/** MNIST images and labels as a dataset: inputs [N, rows·cols] scaled to [0, 1], labels [N]. */
export function mnistFromIdx(imagesPath: string, labelsPath: string): TensorDataset {
  return readImagesAndLabels(imagesPath, labelsPath).dataset;
}

function readImagesAndLabels(
  imagesPath: string,
  labelsPath: string,
): { dataset: TensorDataset; imageShape: [number, number] } {
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.shape.length !== 3)
    throw new DataFileError(
      imagesPath,
      null,
      `expected images of rank 3 [N, rows, cols], got shape [${images.shape.join(', ')}]`,
    );
  if (labels.shape.length !== 1)
    throw new DataFileError(labelsPath, null, `expected labels of rank 1 [N], got shape [${labels.shape.join(', ')}]`);
  if (labels.shape[0] !== images.shape[0]) {
    throw new DataFileError(
      labelsPath,
      null,
      `${labels.shape[0]} labels for ${images.shape[0]} images in ${imagesPath}`,
    );
  }
  // Said here, not later as a schedule's or a mean's complaint about zero steps or samples.
  if (images.shape[0] === 0) throw new DataFileError(imagesPath, null, 'holds no images (its header says 0)');
  // Checked here, where the file and index are known, not later inside crossEntropy.
  for (let i = 0; i < labels.data.length; i++) {
    const v = labels.data[i];
    if (!(Number.isInteger(v) && v >= 0 && v < MNIST_CLASSES)) {
      throw new DataFileError(
        labelsPath,
        null,
        `label at index ${i} is ${v}, expected an integer class 0..${MNIST_CLASSES - 1}`,
      );
    }
  }
  const [n, r, c] = images.shape;
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] / 255;
  return {
    dataset: new TensorDataset(new Tensor(x, [n, r * c]), new Tensor(Float32Array.from(labels.data), [n])),
    imageShape: [r, c],
  };
}

function findFile(dir: string, base: string): string {
  for (const name of [base, `${base}.gz`, base.replace(/-idx/, '.idx')]) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new DataFileError(
    join(dir, base),
    null,
    `not found (also tried ${base}.gz); expected the four MNIST IDX files in ${dir}`,
  );
}

/**
 * The full MNIST from a directory of its four IDX files (gzipped or not): 60,000 train, 10,000
 * test, and the [rows, cols] of one image as the files give it (the rows are flat).
 */
export function loadMnistDir(dir: string): {
  /** The 60,000 training images [N, rows·cols] in [0, 1] and labels [N]. */
  train: TensorDataset;
  /** The 10,000 test images and labels. */
  test: TensorDataset;
  /** [rows, cols] of one image. */
  imageShape: [number, number];
} {
  const testImages = findFile(dir, 't10k-images-idx3-ubyte');
  const train = readImagesAndLabels(findFile(dir, 'train-images-idx3-ubyte'), findFile(dir, 'train-labels-idx1-ubyte'));
  const test = readImagesAndLabels(testImages, findFile(dir, 't10k-labels-idx1-ubyte'));
  if (test.imageShape.join() !== train.imageShape.join()) {
    throw new DataFileError(
      testImages,
      null,
      `images are ${test.imageShape.join('×')}, the training images ${train.imageShape.join('×')}`,
    );
  }
  return { train: train.dataset, test: test.dataset, imageShape: train.imageShape };
}
