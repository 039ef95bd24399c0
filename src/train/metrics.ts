// Metrics on model outputs: accuracy, the confusion matrix and per-class precision, recall and F1
// for classifiers (outputs are logits [N, C], labels class indices [N]); mean squared and mean
// absolute error, RMSE and R² for regressors (outputs and targets [N, K]).

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
export function confusionMatrix(
  predicted: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
): number[][] {
  if (predicted.length !== labels.length)
    throw new Error(`confusionMatrix: ${predicted.length} predictions but ${labels.length} labels`);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i];
    const p = predicted[i];
    if (!(t >= 0 && t < numClasses && p >= 0 && p < numClasses))
      throw new Error(`confusionMatrix: class ${t} or ${p} at index ${i} is outside [0, ${numClasses - 1}]`);
    m[t][p]++;
  }
  return m;
}

/**
 * Classes up to which a confusion matrix is kept dense (classes² counts); above, only its nonzero
 * cells (confusionCells), at most one per sample: 25,000 classes made 6.25·10⁸ counts.
 */
export const DENSE_CONFUSION_CLASSES = 100;

/** A confusion matrix's nonzero cells as [true, predicted, count], by true then predicted class. */
export type ConfusionCells = [number, number, number][];

/** The nonzero cells of confusionMatrix(predicted, labels, numClasses), never the whole matrix. */
export function confusionCells(
  predicted: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
): ConfusionCells {
  if (predicted.length !== labels.length)
    throw new Error(`confusionCells: ${predicted.length} predictions but ${labels.length} labels`);
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i];
    const p = predicted[i];
    if (!(t >= 0 && t < numClasses && p >= 0 && p < numClasses))
      throw new Error(`confusionCells: class ${t} or ${p} at index ${i} is outside [0, ${numClasses - 1}]`);
    const key = t * numClasses + p;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([key, count]) => [Math.floor(key / numClasses), key % numClasses, count]);
}

/** The nonzero cells of a dense matrix counts[true][predicted]. */
function cellsOf(m: number[][]): ConfusionCells {
  const cells: ConfusionCells = [];
  m.forEach((row, t) => row.forEach((count, p) => count > 0 && cells.push([t, p, count])));
  return cells;
}

/** The k most frequent mistakes (off-diagonal cells), as "true → predicted ×count", most first. */
export function mostConfused(cells: ConfusionCells, classes: string[], k = 10): string[] {
  return cells
    .filter(([t, p]) => t !== p)
    .sort((a, b) => b[2] - a[2] || a[0] - b[0] || a[1] - b[1])
    .slice(0, k)
    .map(([t, p, count]) => `${classes[t] ?? t} → ${classes[p] ?? p} ×${count}`);
}

function checkSame(name: string, a: Tensor, b: Tensor): void {
  if (a.size !== b.size)
    throw new Error(`${name}: predictions ${shapeStr(a.shape)} and targets ${shapeStr(b.shape)} differ in size`);
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

/** A metric fit and evaluate can compute besides the loss: 'accuracy' (classification: argmax = label), 'mse', 'mae', 'rmse' or 'r2' (regression). */
export type MetricName = 'accuracy' | 'mse' | 'mae' | 'rmse' | 'r2';

/**
 * A metric of your own: (outputs, targets) of a batch → a number, averaged over the samples
 * (each batch weighted by its size), as Keras' custom metric functions; the function's name is
 * its key in the logs (`valName` on validation data).
 */
export type MetricFn = (outputs: Tensor, targets: Tensor) => number;

/** A metric fit and evaluate compute besides the loss: one of nabla's by name, or a function. */
export type Metric = MetricName | MetricFn;

/** A metric's key in the logs: its name, or its function's name (which it must have). */
export function metricKey(m: Metric): string {
  if (typeof m === 'string') return m;
  if (typeof m !== 'function' || !m.name)
    throw new Error(
      'metrics: a metric function needs a name, its key in the logs (function f1(outputs, targets) { … }, or const f1 = (outputs, targets) => …)',
    );
  return m.name;
}

/** A metric's key in the validation logs: valAccuracy, valLoss, valF1. */
export const valKey = (m: Metric): string => {
  const key = metricKey(m);
  return `val${key[0].toUpperCase()}${key.slice(1)}`;
};

/**
 * Adds one batch's metric sums to `sums`, the one place fit and evaluate compute them: for
 * 'accuracy' the correct predictions, for 'mse' (and 'rmse') and 'mae' the squared and absolute
 * errors per sample (summed over a sample's outputs, divided by their count); for 'r2', per
 * output column j, the squared errors and the targets' sum and sum of squares (`r2.sse.j`,
 * `r2.sum.j`, `r2.sumsq.j`), since R² needs the targets' variance over all samples; for a
 * metric function its value times the batch's samples (`fn.<name>`).
 * metricValue turns the sums into the metric over every sample seen.
 */
export function addMetricSums(
  sums: Record<string, number>,
  metrics: readonly Metric[],
  outputs: Tensor,
  targets: Tensor,
): void {
  const perSample = outputs.size / outputs.shape[0];
  const add = (key: string, v: number) => {
    sums[key] = (sums[key] ?? 0) + v;
  };
  for (const m of metrics)
    if (typeof m === 'function') add(`fn.${metricKey(m)}`, m(outputs, targets) * outputs.shape[0]);
  const named = metrics.filter((m): m is MetricName => typeof m === 'string');
  for (const m of new Set(named.map(sumsOf))) {
    if (m === 'accuracy') add(m, countCorrect(outputs, targets));
    else if (m === 'mse') add(m, sumSquaredError(outputs, targets) / perSample);
    else if (m === 'mae') add(m, sumAbsoluteError(outputs, targets) / perSample);
    else if (m === 'r2') addR2Sums(add, outputs, targets, perSample);
    else unknownMetric(m);
  }
}

/** The metric whose sums a metric is computed from: RMSE from the squared errors. */
const sumsOf = (m: MetricName): Exclude<MetricName, 'rmse'> => (m === 'rmse' ? 'mse' : m);

function addR2Sums(add: (key: string, v: number) => void, outputs: Tensor, targets: Tensor, columns: number): void {
  checkSame('r2', outputs, targets);
  for (let j = 0; j < columns; j++) {
    let sse = 0,
      sum = 0,
      sumsq = 0;
    for (let i = j; i < outputs.size; i += columns) {
      const y = targets.data[i];
      sse += (outputs.data[i] - y) ** 2;
      sum += y;
      sumsq += y * y;
    }
    add(`r2.sse.${j}`, sse);
    add(`r2.sum.${j}`, sum);
    add(`r2.sumsq.${j}`, sumsq);
  }
}

/**
 * The metric over the `samples` whose sums addMetricSums collected. R² is 1 − SSE/SST per output
 * column, averaged over the columns (scikit-learn's r2_score); a constant target (SST = 0) gives 1
 * when predicted exactly, else 0, as scikit-learn does.
 */
export function metricValue(sums: Record<string, number>, m: Metric, samples: number): number {
  if (typeof m === 'function') return sums[`fn.${metricKey(m)}`] / samples;
  if (m === 'rmse') return Math.sqrt(sums.mse / samples);
  if (m !== 'r2') return sums[m] / samples;
  let total = 0,
    columns = 0;
  for (; `r2.sse.${columns}` in sums; columns++) {
    const sse = sums[`r2.sse.${columns}`];
    const sum = sums[`r2.sum.${columns}`];
    const sst = sums[`r2.sumsq.${columns}`] - (sum * sum) / samples;
    total += sst > 0 ? 1 - sse / sst : sse === 0 ? 1 : 0;
  }
  return total / columns;
}

function unknownMetric(m: never): never {
  throw new Error(`metrics: unknown metric '${m as string}' (use accuracy, mse, mae, rmse or r2)`);
}

/** The matrix as aligned text, true classes down, predictions across. */
export function formatConfusionMatrix(m: number[][], classes: string[]): string {
  let width = 4; // folded, not spread: Math.max(...) of many values overflows the stack
  for (const c of classes) width = Math.max(width, c.length);
  for (const row of m) for (const v of row) width = Math.max(width, String(v).length);
  const pad = (s: string) => s.padStart(width);
  const head = `${'true\\pred'.padEnd(width + 1)} ${classes.map(pad).join(' ')}`;
  return [
    head,
    ...m.map((row, i) => `${classes[i].padEnd(width + 1)} ${row.map((v) => pad(String(v))).join(' ')}`),
  ].join('\n');
}

/** One class's scores, as scikit-learn's classification_report. */
export interface ClassScores {
  /** The class's name. */
  label: string;
  /** tp/(tp + fp): of the samples predicted as this class, the fraction that are. */
  precision: number;
  /** tp/support: of the samples of this class, the fraction predicted as it. */
  recall: number;
  /** The harmonic mean of precision and recall. */
  f1: number;
  /** Samples whose true class this is. */
  support: number;
}

/**
 * Precision tp/(tp + fp), recall tp/support and F1 (their harmonic mean) of each class from the
 * confusion matrix counts[true][predicted]; a class never predicted (or never present) scores 0
 * there, as scikit-learn's zero_division=0.
 */
export function perClassScores(m: number[][], classes: string[]): ClassScores[] {
  return classScoresFromCells(
    cellsOf(m),
    m.map((_, c) => classes[c]),
  );
}

/** perClassScores from the matrix's nonzero cells (one entry per class of `classes`). */
export function classScoresFromCells(cells: ConfusionCells, classes: string[]): ClassScores[] {
  const tp = new Float64Array(classes.length);
  const support = new Float64Array(classes.length);
  const predicted = new Float64Array(classes.length);
  for (const [t, p, count] of cells) {
    support[t] += count;
    predicted[p] += count;
    if (t === p) tp[t] += count;
  }
  return classes.map((label, c) => {
    const precision = predicted[c] > 0 ? tp[c] / predicted[c] : 0;
    const recall = support[c] > 0 ? tp[c] / support[c] : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support: support[c] };
  });
}

/** The per-class table as aligned text, with the macro average (the unweighted mean) last. */
export function formatClassScores(rows: ClassScores[]): string {
  let width = 9;
  for (const r of rows) width = Math.max(width, r.label.length);
  const f = (v: number) => v.toFixed(3).padStart(9);
  const mean = (k: 'precision' | 'recall' | 'f1') => rows.reduce((s, r) => s + r[k], 0) / rows.length;
  const support = rows.reduce((s, r) => s + r.support, 0);
  return [
    `${'class'.padEnd(width)} ${'precision'.padStart(9)} ${'recall'.padStart(9)} ${'f1'.padStart(9)} ${'support'.padStart(9)}`,
    ...rows.map(
      (r) => `${r.label.padEnd(width)} ${f(r.precision)} ${f(r.recall)} ${f(r.f1)} ${String(r.support).padStart(9)}`,
    ),
    `${'macro avg'.padEnd(width)} ${f(mean('precision'))} ${f(mean('recall'))} ${f(mean('f1'))} ${String(support).padStart(9)}`,
  ].join('\n');
}
