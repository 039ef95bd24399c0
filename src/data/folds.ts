// K-fold cross-validation splits: each row is in the test part of exactly one fold. With labels,
// stratified (as scikit-learn's StratifiedKFold): every fold holds each class in proportion, so
// a rare class is not missing from a fold's test rows by chance.

import { seededPermutation } from '../random.js';

/** One fold: the rows to train on and the held-out rows to score, as indices into the data. */
export interface Fold {
  /** The rows the fold trains on (every row not in test), ascending. */
  train: Int32Array;
  /** The rows the fold holds out and scores, ascending. */
  test: Int32Array;
}

/**
 * `k` folds of `n` rows shuffled by `seed` (the global PRNG is left as it was). With `labels`
 * (a class index per row) the shuffled rows are grouped by class and dealt to the folds in turn,
 * so each fold's count of every class differs from another fold's by at most one. As
 * sklearn.model_selection.KFold(k, shuffle=True) and StratifiedKFold, with our own shuffle.
 */
export function kFold(n: number, k: number, seed: number, labels?: ArrayLike<number>): Fold[] {
  if (!Number.isInteger(k) || k < 2) throw new Error(`kFold: k must be an integer ≥ 2, got ${k}`);
  if (k > n) throw new Error(`kFold: ${k} folds need at least ${k} rows, the data has ${n}`);
  if (labels && labels.length !== n) throw new Error(`kFold: ${labels.length} labels for ${n} rows`);
  const order = Array.from(seededPermutation(n, seed));
  // A stable sort keeps the shuffled order within each class.
  if (labels) order.sort((a, b) => labels[a] - labels[b]);
  const foldOf = new Int32Array(n);
  order.forEach((row, i) => {
    foldOf[row] = i % k;
  });
  return Array.from({ length: k }, (_, f) => {
    const train: number[] = [];
    const test: number[] = [];
    for (let row = 0; row < n; row++) (foldOf[row] === f ? test : train).push(row);
    return { train: Int32Array.from(train), test: Int32Array.from(test) };
  });
}
