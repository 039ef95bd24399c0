// Datasets as PyTorch has them: a length and an indexed sample (input, target); TensorDataset
// over two tensors whose first axis is the sample axis; Subset; randomSplit.

import { allocData } from '../cells.js';
import { Tensor } from '../tensor.js';
import { reshape } from '../ops/index.js';
import { randomPermutation, seededPermutation } from '../random.js';
import { shapeStr, sizeOf } from '../shape.js';

/** One sample (or a batch of them): [input, target] tensors. */
export type Sample = [input: Tensor, target: Tensor];

/**
 * A dataset as PyTorch's map-style torch.utils.data.Dataset: a length and the sample at an index,
 * [input, target]. DataLoader and fit batch it; getBatch, when present, stacks many samples at once.
 */
export interface Dataset {
  /** The number of samples. */
  readonly length: number;
  /** The sample at index (0 ≤ index < length): [input, target], without a batch axis. */
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

/**
 * Samples from two tensors, inputs [N, ...] and targets [N, ...] (class indices as [N]), as
 * torch.utils.data.TensorDataset: sample i is row i of each.
 *
 * @example
 * ```ts
 * const ds = new data.TensorDataset(randn([100, 4]), tensor(classIds));   // classIds: 100 integers
 * const [x, y] = ds.get(0);                                             // x [4], y []
 * ```
 */
export class TensorDataset implements Dataset {
  /**
   * A dataset of the rows of inputs and targets; throws unless both have the same first axis.
   * @param inputs - The inputs, [N, ...].
   * @param targets - The targets, [N, ...] (class indices: [N]).
   */
  constructor(
    readonly inputs: Tensor,
    readonly targets: Tensor,
  ) {
    if (inputs.rank === 0 || targets.rank === 0 || inputs.shape[0] !== targets.shape[0]) {
      throw new Error(
        `TensorDataset: inputs ${shapeStr(inputs.shape)} and targets ${shapeStr(targets.shape)} must have the same first axis`,
      );
    }
  }

  /** N, the first axis of the tensors. */
  get length(): number {
    return this.inputs.shape[0];
  }

  /** Row index of inputs and of targets (copies, without the first axis). */
  get(index: number): Sample {
    checkIndex('TensorDataset', index, this.length);
    const [x, y] = this.getBatch([index]);
    return [reshape(x, x.shape.slice(1)), reshape(y, y.shape.slice(1))];
  }

  /** The rows at indices, stacked: [indices.length, ...] each. */
  getBatch(indices: ArrayLike<number>): Sample {
    for (let i = 0; i < indices.length; i++) checkIndex('TensorDataset', indices[i], this.length);
    return [gatherRows(this.inputs, indices), gatherRows(this.targets, indices)];
  }
}

/** The samples of `dataset` at `indices`, in that order (torch.utils.data.Subset); what randomSplit returns. */
export class Subset implements Dataset {
  /**
   * A view of these samples of dataset; throws for an index out of range.
   * @param dataset - The underlying dataset.
   * @param indices - Its samples' indices, in the subset's order.
   */
  constructor(
    readonly dataset: Dataset,
    readonly indices: Int32Array,
  ) {
    for (const i of indices) checkIndex('Subset', i, dataset.length);
  }

  /** The number of indices. */
  get length(): number {
    return this.indices.length;
  }

  /** The underlying dataset's sample indices[index]. */
  get(index: number): Sample {
    checkIndex('Subset', index, this.length);
    return this.dataset.get(this.indices[index]);
  }

  /** The samples at these subset indices, stacked. */
  getBatch(indices: ArrayLike<number>): Sample {
    return collate(
      this.dataset,
      Array.from(indices, (i) => (checkIndex('Subset', i, this.length), this.indices[i])),
    );
  }
}

/**
 * Stacks the samples at `indices` into one batch [input, target], each with a new first axis, through the dataset's getBatch when it has one (PyTorch's default collate).
 */
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
 * Splits a dataset into non-overlapping random subsets of the given lengths: counts that sum to its
 * length, or fractions that sum to 1, as torch.utils.data.random_split. With `seed`, the permutation
 * comes from that seed and the global PRNG is left as it was.
 *
 * @example
 * ```ts
 * const [trainSet, valSet] = data.randomSplit(ds, [0.8, 0.2], { seed: 1 });
 * ```
 */
export function randomSplit(dataset: Dataset, lengths: number[], options: { seed?: number } = {}): Subset[] {
  const n = dataset.length;
  let counts = lengths;
  const total = lengths.reduce((a, b) => a + b, 0);
  if (lengths.every((l) => l >= 0 && l <= 1) && Math.abs(total - 1) < 1e-9 && n !== 1) {
    counts = lengths.map((f) => Math.floor(f * n));
    for (let i = 0, rest = n - counts.reduce((a, b) => a + b, 0); rest > 0; i = (i + 1) % counts.length, rest--)
      counts[i]++;
  } else if (total !== n || !lengths.every((l) => Number.isInteger(l) && l >= 0)) {
    throw new Error(
      `randomSplit: lengths [${lengths.join(', ')}] must be counts summing to ${n} or fractions summing to 1`,
    );
  }
  const perm = options.seed === undefined ? randomPermutation(n) : seededPermutation(n, options.seed);
  let offset = 0;
  return counts.map((c) => new Subset(dataset, perm.slice(offset, (offset += c))));
}
