// Metrics on model outputs: accuracy and the confusion matrix for classifiers (outputs are
// logits [N, C], labels class indices [N]); mean squared and mean absolute error for regressors.

import type { Tensor } from '../tensor.js';
import { shapeStr } from '../shape.js';

/** The index of the largest value in each row of [N, C]. */
export function argmaxRows(outputs: Tensor): Int32Array {
  if (outputs.rank !== 2) throw new Error(`argmaxRows: expected [batch, classes], got ${shapeStr(outputs.shape)}`);
  const [n, c] = outputs.shape;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (outputs.data[i * c + j] > outputs.data[i * c + best]) best = j;
    out[i] = best;
  }
  return out;
}

function labelsOf(labels: Tensor | ArrayLike<number>): ArrayLike<number> {
  return 'data' in labels ? labels.data : labels;
}

/** Correct predictions in a batch (argmax of the outputs equals the label). */
export function countCorrect(outputs: Tensor, labels: Tensor | ArrayLike<number>): number {
  const pred = argmaxRows(outputs);
  const y = labelsOf(labels);
  if (y.length !== pred.length) throw new Error(`accuracy: ${pred.length} outputs but ${y.length} labels`);
  let correct = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === y[i]) correct++;
  return correct;
}

/** Fraction of rows whose argmax equals the label. */
export function accuracy(outputs: Tensor, labels: Tensor | ArrayLike<number>): number {
  return countCorrect(outputs, labels) / outputs.shape[0];
}

/** counts[true][predicted], as scikit-learn's confusion_matrix. */
export function confusionMatrix(predicted: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number[][] {
  if (predicted.length !== labels.length) throw new Error(`confusionMatrix: ${predicted.length} predictions but ${labels.length} labels`);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i];
    const p = predicted[i];
    if (!(t >= 0 && t < numClasses && p >= 0 && p < numClasses)) throw new Error(`confusionMatrix: class ${t} or ${p} at index ${i} is outside [0, ${numClasses - 1}]`);
    m[t][p]++;
  }
  return m;
}

function checkSame(name: string, a: Tensor, b: Tensor): void {
  if (a.size !== b.size) throw new Error(`${name}: predictions ${shapeStr(a.shape)} and targets ${shapeStr(b.shape)} differ in size`);
}

/** Sum of squared errors (divide by the count for the mean). */
export function sumSquaredError(pred: Tensor, target: Tensor): number {
  checkSame('mse', pred, target);
  let s = 0;
  for (let i = 0; i < pred.size; i++) s += (pred.data[i] - target.data[i]) ** 2;
  return s;
}

/** Sum of absolute errors (divide by the count for the mean). */
export function sumAbsoluteError(pred: Tensor, target: Tensor): number {
  checkSame('mae', pred, target);
  let s = 0;
  for (let i = 0; i < pred.size; i++) s += Math.abs(pred.data[i] - target.data[i]);
  return s;
}

/** The mean squared error over every element of pred and target (one shape). */
export const mse = (pred: Tensor, target: Tensor): number => sumSquaredError(pred, target) / pred.size;
/** The mean absolute error over every element of pred and target (one shape). */
export const mae = (pred: Tensor, target: Tensor): number => sumAbsoluteError(pred, target) / pred.size;

/** A metric fit and evaluate can compute besides the loss: 'accuracy' (classification: argmax = label), 'mse' or 'mae' (regression). */
export type MetricName = 'accuracy' | 'mse' | 'mae';

/**
 * Adds one batch's metric sums to `sums`, the one place fit and evaluate compute them: for
 * 'accuracy' the correct predictions, for 'mse' and 'mae' the squared and absolute errors per
 * sample (summed over a sample's outputs, divided by their count). Divided by the samples seen,
 * each sum is the metric over all of them.
 */
export function addMetricSums(sums: Record<string, number>, metrics: readonly MetricName[], outputs: Tensor, targets: Tensor): void {
  const perSample = outputs.size / outputs.shape[0];
  for (const m of new Set(metrics)) {
    const v = m === 'accuracy' ? countCorrect(outputs, targets)
      : m === 'mse' ? sumSquaredError(outputs, targets) / perSample
      : m === 'mae' ? sumAbsoluteError(outputs, targets) / perSample
      : unknownMetric(m);
    sums[m] = (sums[m] ?? 0) + v;
  }
}

function unknownMetric(m: never): never {
  throw new Error(`metrics: unknown metric '${m as string}' (use accuracy, mse or mae)`);
}

/** The matrix as aligned text, true classes down, predictions across. */
export function formatConfusionMatrix(m: number[][], classes: string[]): string {
  let width = 4; // folded, not spread: Math.max(...) of many values overflows the stack
  for (const c of classes) width = Math.max(width, c.length);
  for (const row of m) for (const v of row) width = Math.max(width, String(v).length);
  const pad = (s: string) => s.padStart(width);
  const head = `${'true\\pred'.padEnd(width + 1)} ${classes.map(pad).join(' ')}`;
  return [head, ...m.map((row, i) => `${classes[i].padEnd(width + 1)} ${row.map((v) => pad(String(v))).join(' ')}`)].join('\n');
}
