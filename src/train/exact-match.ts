// Exact match for sequence tasks: a row counts when the model's most likely token is the target
// at every position whose target counts (targets equal to `ignoreIndex` do not). With a causal
// model this equals greedy generation: if every next token is right given the right ones before
// it, generating from the prompt produces exactly those tokens.

import type { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/mode.js';
import type { Module } from '../nn/module.js';
import type { Dataset } from '../data/dataset.js';
import { DataLoader } from '../data/loader.js';

/** The fraction of rows of the dataset (inputs [n, T], targets [n, T]) the model gets exactly right. */
export function exactMatch(
  model: Module,
  data: Dataset,
  options: { ignoreIndex?: number; batchSize?: number } = {},
): number {
  const { ignoreIndex = -100, batchSize = 256 } = options;
  const wasTraining = model.training;
  model.eval();
  let right = 0;
  try {
    noGrad(() => {
      for (const [x, y] of new DataLoader(data, { batchSize, shuffle: false }))
        right += rowsRight(model.forward(x), y, ignoreIndex);
    });
  } finally {
    model.train(wasTraining);
  }
  return right / data.length;
}

function rowsRight(logits: Tensor, targets: Tensor, ignoreIndex: number): number {
  const classes = logits.shape[logits.rank - 1];
  const length = targets.size / targets.shape[0];
  let right = 0;
  for (let r = 0; r < targets.shape[0]; r++) {
    let ok = true;
    for (let t = 0; t < length && ok; t++) {
      const target = targets.data[r * length + t];
      if (target === ignoreIndex) continue;
      const row = (r * length + t) * classes;
      let best = 0;
      for (let c = 1; c < classes; c++) if (logits.data[row + c] > logits.data[row + best]) best = c;
      ok = best === target;
    }
    if (ok) right++;
  }
  return right;
}
