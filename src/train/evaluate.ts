// Evaluation and prediction in eval mode without recording the graph.

import { readAll, Tensor } from '../tensor.js';
import { cat } from '../ops/defs/cat.js';
import { collecting, releaseCells, type Cell } from '../cells.js';
import { noGrad } from '../autograd/mode.js';
import { onDevice } from '../backend/index.js';
import type { Module } from '../nn/module.js';
import { DataLoader } from '../data/loader.js';
import type { Dataset } from '../data/dataset.js';
import {
  addMetricSums,
  argmaxRows,
  confusionCells,
  confusionMatrix,
  DENSE_CONFUSION_CLASSES,
  metricValue,
  type ConfusionCells,
  metricKey,
  type Metric,
} from './metrics.js';
import { EventLoopTurns } from './yield.js';
import { lossFunction, type Loss } from './loss.js';

/** What evaluate returns: the mean loss, the metrics asked for, and the sample count. */
export interface EvalResult {
  /** The mean loss per sample. */
  loss: number;
  /** The fraction of rows whose argmax is the label (with 'accuracy'). */
  accuracy?: number;
  /** The mean squared error over every output (with 'mse'). */
  mse?: number;
  /** The mean absolute error over every output (with 'mae'). */
  mae?: number;
  /** Root mean squared error, when 'rmse' is asked. */
  rmse?: number;
  /** R² (scikit-learn's r2_score, averaged over output columns), when 'r2' is asked. */
  r2?: number;
  /** For classifiers (when 'accuracy' is asked) of up to DENSE_CONFUSION_CLASSES classes: counts[true][predicted]. */
  confusion?: number[][];
  /** For classifiers of more classes: the matrix's nonzero cells [true, predicted, count]. */
  confusionCells?: ConfusionCells;
  /** The samples evaluated. */
  samples: number;
  /** Your metric functions' values, by their names (with metric functions). */
  own?: Record<string, number>;
}

/** Options of evaluate. */
export interface EvaluateOptions {
  /** The loss: a function (output, targets) → a scalar or a loss module, as fit's. */
  loss: Loss;
  /** Metrics besides the loss: 'accuracy', 'mse', 'mae', 'rmse', 'r2', or your own functions (outputs, targets) → number. */
  metrics?: Metric[];
  /** With 'accuracy', the confusion matrix too (default true; fit's per-epoch validation needs none). */
  confusion?: boolean;
  /** The batch size when data is a Dataset (default 256). */
  batchSize?: number;
}

/**
 * The loss and metrics of a model over a dataset, in evaluation mode without a graph (the model's
 * mode is restored after), as Keras' evaluate.
 *
 * @example
 * ```ts
 * const { loss, accuracy } = await train.evaluate(model, test, { loss: nn.crossEntropy, metrics: ['accuracy'] });
 * ```
 */
export async function evaluate(
  model: Module,
  data: DataLoader | Dataset,
  options: EvaluateOptions,
): Promise<EvalResult> {
  const loader = data instanceof DataLoader ? data : new DataLoader(data, { batchSize: options.batchSize ?? 256 });
  const lossFn = lossFunction(options.loss, 'evaluate');
  const metrics = options.metrics ?? [];
  const confusion = metrics.includes('accuracy') && options.confusion !== false;
  const wasTraining = model.training;
  model.eval();
  const turns = new EventLoopTurns();
  try {
    let loss = 0,
      samples = 0;
    const sums: Record<string, number> = {};
    const preds: number[] = [];
    const labels: number[] = [];
    let classes = 0;
    for (const [x, y] of loader) {
      // The batch's cells: on a device backend their memory is freed once its values are read.
      const cells: Cell[] = [];
      const [out, batchLoss] = collecting(cells, () =>
        noGrad(() => {
          const o = model.forward(x);
          return [o, lossFn(o, y)];
        }),
      );
      await readAll([batchLoss, out]); // one round trip on a device; at once on the CPU
      const n = out.shape[0];
      loss += batchLoss.item() * n;
      samples += n;
      addMetricSums(sums, metrics, out, y);
      if (confusion) {
        classes = out.shape[1];
        // One by one: spreading a large batch into push() overflows the stack.
        for (const p of argmaxRows(out)) preds.push(p);
        for (const v of y.data) labels.push(v);
      }
      // What the batch made goes back (host arrays to the pool); on a device the batch's memory
      // too (made before the scope; a host batch may be a dataset's own arrays).
      releaseCells(onDevice() ? [...cells, x.cell, y.cell] : cells, new Set());
      await turns.maybe();
    }
    const r: EvalResult = { loss: loss / samples, samples };
    for (const m of metrics) {
      if (typeof m === 'function') (r.own ??= {})[metricKey(m)] = metricValue(sums, m, samples);
      else r[m] = metricValue(sums, m, samples);
    }
    if (confusion) {
      if (classes <= DENSE_CONFUSION_CLASSES) r.confusion = confusionMatrix(preds, labels, classes);
      else r.confusionCells = confusionCells(preds, labels, classes);
    }
    return r;
  } finally {
    model.train(wasTraining);
  }
}

/**
 * Model outputs for inputs [N, ...] (host values), computed in batches in eval mode, in the
 * model's dtype. On a device backend the result stays there: read it with `await t.read()`.
 */
export function predict(model: Module, inputs: Tensor, batchSize = 256): Tensor {
  const n = inputs.shape[0];
  const row = inputs.size / Math.max(n, 1);
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const parts: Tensor[] = [];
      for (let i = 0; i < n; i += batchSize) {
        const m = Math.min(batchSize, n - i);
        parts.push(
          model.forward(
            new Tensor(inputs.data.slice(i * row, (i + m) * row), [m, ...inputs.shape.slice(1)], inputs.dtype),
          ),
        );
      }
      // In the model's dtype: the ops refuse inputs of another dtype than the weights'.
      return parts.length === 1 ? parts[0] : cat(parts);
    });
  } finally {
    model.train(wasTraining);
  }
}
