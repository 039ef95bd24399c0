// Datasets as PyTorch has them: a length and an indexed sample (input, target); TensorDataset
// over two tensors whose first axis is the sample axis; Subset; randomSplit.

import { allocData } from '../storage.js';
import { Tensor } from '../tensor.js';
import { reshape } from '../ops/index.js';
import { randomPermutation, seededPermutation } from '../random.js';
import { shapeStr, sizeOf } from '../shape.js';

export type Sample = [input: Tensor, target: Tensor];

export interface Dataset {
  readonly length: number;
  get(index: number): Sample;
  /** Optional fast path: the samples at these indices, stacked along a new first axis. */
  getBatch?(indices: ArrayLike<number>): Sample;
}

function checkIndex(name: string, index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new Error(`${name}: index ${index} is out of range for ${length} samples`);
  }
}

/** Rows of `t` at `indices`, as a new tensor of shape [indices.length, ...t.shape[1:]]. */
export function gatherRows(t: Tensor, indices: ArrayLike<number>): Tensor {
  const rowShape = t.shape.slice(1);
  const row = sizeOf(rowShape);
  const out = allocData(t.dtype, indices.length * row);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    out.set(t.data.subarray(r * row, (r + 1) * row), i * row);
  }
  return new Tensor(out, [indices.length, ...rowShape], t.dtype);
}

/** Samples from two tensors: inputs [N, ...] and targets [N, ...] (class indices as [N]). */
export class TensorDataset implements Dataset {
  constructor(readonly inputs: Tensor, readonly targets: Tensor) {
    if (inputs.rank === 0 || targets.rank === 0 || inputs.shape[0] !== targets.shape[0]) {
      throw new Error(`TensorDataset: inputs ${shapeStr(inputs.shape)} and targets ${shapeStr(targets.shape)} must have the same first axis`);
    }
  }

  get length(): number {
    return this.inputs.shape[0];
  }

  get(index: number): Sample {
    checkIndex('TensorDataset', index, this.length);
    const [x, y] = this.getBatch([index]);
    return [reshape(x, x.shape.slice(1)), reshape(y, y.shape.slice(1))];
  }

  getBatch(indices: ArrayLike<number>): Sample {
    for (let i = 0; i < indices.length; i++) checkIndex('TensorDataset', indices[i], this.length);
    return [gatherRows(this.inputs, indices), gatherRows(this.targets, indices)];
  }
}

/** The samples of `dataset` at `indices`, in that order. */
export class Subset implements Dataset {
  constructor(readonly dataset: Dataset, readonly indices: Int32Array) {
    for (const i of indices) checkIndex('Subset', i, dataset.length);
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): Sample {
    checkIndex('Subset', index, this.length);
    return this.dataset.get(this.indices[index]);
  }

  getBatch(indices: ArrayLike<number>): Sample {
    return collate(this.dataset, Array.from(indices, (i) => (checkIndex('Subset', i, this.length), this.indices[i])));
  }
}

/** Stacks samples into a batch, through the dataset's fast path when it has one. */
export function collate(dataset: Dataset, indices: ArrayLike<number>): Sample {
  if (dataset.getBatch) return dataset.getBatch(indices);
  const samples = Array.from(indices, (i) => dataset.get(i));
  if (samples.length === 0) throw new Error('collate: empty batch');
  return [stack(samples.map((s) => s[0])), stack(samples.map((s) => s[1]))];
}

function stack(ts: Tensor[]): Tensor {
  const first = ts[0];
  const out = allocData(first.dtype, ts.length * first.size);
  ts.forEach((t, i) => {
    if (t.shape.join() !== first.shape.join()) {
      throw new Error(`collate: sample ${i} has shape ${shapeStr(t.shape)}, sample 0 has ${shapeStr(first.shape)}`);
    }
    out.set(t.data, i * first.size);
  });
  return new Tensor(out, [ts.length, ...first.shape], first.dtype);
}

/**
 * Splits a dataset into non-overlapping random subsets of the given lengths (counts that sum to
 * its length, or fractions that sum to 1, as torch.utils.data.random_split). With `seed`, the
 * permutation comes from that seed and the global PRNG is left as it was.
 */
export function randomSplit(dataset: Dataset, lengths: number[], options: { seed?: number } = {}): Subset[] {
  const n = dataset.length;
  let counts = lengths;
  const total = lengths.reduce((a, b) => a + b, 0);
  if (lengths.every((l) => l >= 0 && l <= 1) && Math.abs(total - 1) < 1e-9 && n !== 1) {
    counts = lengths.map((f) => Math.floor(f * n));
    for (let i = 0, rest = n - counts.reduce((a, b) => a + b, 0); rest > 0; i = (i + 1) % counts.length, rest--) counts[i]++;
  } else if (total !== n || !lengths.every((l) => Number.isInteger(l) && l >= 0)) {
    throw new Error(`randomSplit: lengths [${lengths.join(', ')}] must be counts summing to ${n} or fractions summing to 1`);
  }
  const perm = options.seed === undefined ? randomPermutation(n) : seededPermutation(n, options.seed);
  let offset = 0;
  return counts.map((c) => new Subset(dataset, perm.slice(offset, (offset += c))));
}
