// Bundled digits for the CLI tests: a few spread over all classes, as flat rows, and as an MNIST
// IDX directory (gzipped, as the real files come).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bundledMnist } from '../../src/data/mnist.js';

/** n bundled digits spread over all classes (the package orders them by class), as flat rows and labels. */
export function someDigits(n: number, offset: number): { pixels: Float32Array; labels: number[] } {
  const all = bundledMnist();
  const pixels = new Float32Array(n * 784);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = (offset + i * 997) % all.length;
    pixels.set(all.inputs.data.subarray(k * 784, (k + 1) * 784), i * 784);
    labels.push(all.targets.data[k]);
  }
  return { pixels, labels };
}

/**
 * An IDX directory `dir` of trainN and testN bundled digits, as bytes; returns the test images'
 * pixels as training reads them (bytes / 255).
 */
export function writeDigitsIdx(dir: string, trainN: number, testN: number): Float32Array {
  mkdirSync(dir, { recursive: true });
  const header = (magic: number, sizes: number[]) => {
    const b = Buffer.alloc(4 + 4 * sizes.length);
    b.writeUInt32BE(magic, 0);
    sizes.forEach((s, i) => b.writeUInt32BE(s, 4 + 4 * i));
    return b;
  };
  let testPixels = new Float32Array(0);
  for (const [part, n, offset] of [
    ['train', trainN, 0],
    ['t10k', testN, 501],
  ] as const) {
    const { pixels, labels } = someDigits(n, offset);
    const bytes = Buffer.from(Array.from(pixels, (v) => Math.round(v * 255)));
    if (part === 't10k') testPixels = Float32Array.from(bytes, (b) => b / 255);
    writeFileSync(
      join(dir, `${part}-images-idx3-ubyte.gz`),
      gzipSync(Buffer.concat([header(0x803, [n, 28, 28]), bytes])),
    );
    writeFileSync(
      join(dir, `${part}-labels-idx1-ubyte.gz`),
      gzipSync(Buffer.concat([header(0x801, [n]), Buffer.from(labels)])),
    );
  }
  return testPixels;
}
