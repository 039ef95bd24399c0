// DataLoader: batches of a dataset, shuffled each epoch from the seeded PRNG (so a resumed
// run, with the PRNG restored, draws the same order).

import { randomPermutation } from '../random.js';
import { collate, type Dataset, type Sample } from './dataset.js';

/** Options of DataLoader (torch.utils.data.DataLoader's, in camelCase). */
export interface DataLoaderOptions {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** A fresh random order every epoch, from the seeded PRNG (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize. */
  dropLast?: boolean;
}

/**
 * Batches of a dataset (torch.utils.data.DataLoader): iterating it gives one epoch of [inputs,
 * targets] batches, each with a first axis of batchSize (the last may be smaller unless dropLast),
 * shuffled each epoch from the seeded PRNG when `shuffle`, so a seed (or a restored PRNG) repeats
 * the order.
 *
 * @example
 * ```ts
 * const loader = new data.DataLoader(trainSet, { batchSize: 64, shuffle: true });
 * for (const [x, y] of loader) console.log(x.shape, y.shape);   // [64, ...] each
 * ```
 */
export class DataLoader implements Iterable<Sample> {
  /** Samples per batch. */
  readonly batchSize: number;
  /** Whether each epoch has a fresh random order. */
  readonly shuffle: boolean;
  /** Whether a last, smaller batch is dropped. */
  readonly dropLast: boolean;

  /**
   * Batches of dataset; throws for a batchSize that is not a positive integer.
   * @param dataset - The samples to batch.
   */
  constructor(
    readonly dataset: Dataset,
    options: DataLoaderOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0) {
      throw new Error(`DataLoader: batchSize must be a positive integer, got ${this.batchSize}`);
    }
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The sample order of one epoch: a fresh permutation when shuffling, else 0..n-1. */
  epochOrder(): Int32Array {
    const n = this.dataset.length;
    if (this.shuffle) return randomPermutation(n);
    return Int32Array.from({ length: n }, (_, i) => i);
  }

  /** The batches of one epoch in the given order, starting at batch `start`. */
  *batches(order: Int32Array, start = 0): Generator<Sample> {
    for (let b = start; b < this.length; b++) {
      yield collate(this.dataset, order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, order.length)));
    }
  }

  /** One epoch's batches, in a fresh order when shuffling. */
  [Symbol.iterator](): Iterator<Sample> {
    return this.batches(this.epochOrder());
  }
}
