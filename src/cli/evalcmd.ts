// `nabla eval`: a saved model on labelled data, read the way the model was trained: loss,
// accuracy, the confusion matrix and per-class scores (above DENSE_CONFUSION_CLASSES classes, the
// most frequent mistakes and the macro average), or MSE, R², RMSE and MAE.

import { crossEntropy, mseLoss } from '../nn/losses.js';
import type { Tensor } from '../tensor.js';
import { evaluate } from '../train/evaluate.js';
import {
  classScoresFromCells,
  formatClassScores,
  formatConfusionMatrix,
  mostConfused,
  perClassScores,
} from '../train/metrics.js';
import { checkFiniteScores, formatScores } from './outputs.js';
import { loadLabelledData } from './data.js';
import { readModelDir } from './modeldir.js';

export async function evalCommand(flags: { model: string; data: string }): Promise<number> {
  const { model, spec } = readModelDir(flags.model);
  const { dataset, name } = loadLabelledData(flags.data, spec);
  const classify = spec.task === 'classification';
  const r = await evaluate(model, dataset, {
    loss: classify ? (o: Tensor, y: Tensor) => crossEntropy(o, y) : (o: Tensor, y: Tensor) => mseLoss(o, y),
    metrics: classify ? ['accuracy'] : ['r2', 'rmse', 'mae'],
  });
  checkFiniteScores(r, name);
  const classes = spec.classes ?? [];
  if (r.confusion) {
    console.log(
      `confusion matrix (rows: true class, columns: predicted)\n${formatConfusionMatrix(r.confusion, classes)}\n`,
    );
    console.log(`${formatClassScores(perClassScores(r.confusion, classes))}\n`);
  } else if (r.confusionCells) {
    // Too many classes for a table: the most frequent mistakes and the macro average.
    const mistakes = mostConfused(r.confusionCells, classes);
    console.log(
      `${classes.length} classes; most frequent mistakes (true → predicted): ${mistakes.join(', ') || 'none'}`,
    );
    const table = formatClassScores(classScoresFromCells(r.confusionCells, classes)).split('\n');
    console.log(`${table[0]}\n${table[table.length - 1]}\n`);
  }
  console.log(`${name}: ${formatScores(r)}`);
  return 0;
}
