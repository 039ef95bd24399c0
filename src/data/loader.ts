// DataLoader: batches of a dataset, shuffled each epoch from the seeded PRNG (so a resumed
// run, with the PRNG restored, draws the same order).

import { randomPermutation } from '../random.js';
import { collate, type Dataset, type Sample } from './dataset.js';

export interface DataLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize. */
  dropLast?: boolean;
}

export class DataLoader implements Iterable<Sample> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;

  constructor(readonly dataset: Dataset, options: DataLoaderOptions = {}) {
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

  [Symbol.iterator](): Iterator<Sample> {
    return this.batches(this.epochOrder());
  }
}
