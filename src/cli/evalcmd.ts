// `nabla eval`: a saved model on labelled data, read the way the model was trained.

import { crossEntropy, mseLoss } from '../nn/losses.js';
import type { Tensor } from '../tensor.js';
import { evaluate } from '../train/evaluate.js';
import { formatConfusionMatrix } from '../train/metrics.js';
import { loadLabelledData } from './data.js';
import { readModelDir } from './modeldir.js';

export function evalCommand(flags: { model: string; data: string }): number {
  const { model, spec } = readModelDir(flags.model);
  const { dataset, name } = loadLabelledData(flags.data, spec);
  const classify = spec.task === 'classification';
  const r = evaluate(model, dataset, {
    loss: classify ? (o: Tensor, y: Tensor) => crossEntropy(o, y) : (o: Tensor, y: Tensor) => mseLoss(o, y),
    metrics: classify ? ['accuracy'] : ['mse', 'mae'],
  });
  if (r.confusion) {
    console.log(`confusion matrix (rows: true class, columns: predicted)\n${formatConfusionMatrix(r.confusion, spec.classes ?? [])}\n`);
    console.log(`${name}: loss ${r.loss.toFixed(4)}, accuracy ${(100 * (r.accuracy ?? 0)).toFixed(2)}% (${Math.round((r.accuracy ?? 0) * r.samples)}/${r.samples})`);
  } else {
    console.log(`${name}: mse ${r.mse?.toFixed(4)}, mae ${r.mae?.toFixed(4)} (${r.samples} rows)`);
  }
  return 0;
}
