// The files a finished `nabla train` run writes, in the order that keeps the most: the model
// first (nothing after it can lose it), then metrics.json, curves.svg and the confusion matrix.
// Every output is bounded: above INLINE_CONFUSION_CLASSES classes the confusion matrix goes to
// confusion.csv row by row instead of into metrics.json (one JSON string of 10⁸ counts passes
// V8's string limit), with no plot and no print (nobody reads a 10,000-column table).

import type { Tensor } from '../tensor.js';
import type { Sequential } from '../nn/sequential.js';
import { save } from '../io/index.js';
import { writeFileAtomic } from '../io/atomic.js';
import { evaluate } from '../train/evaluate.js';
import type { MetricName } from '../train/metrics.js';
import { formatConfusionMatrix } from '../train/metrics.js';
import type { FitResult } from '../train/types.js';
import { confusionMatrixSvg, trainingCurvesSvg } from '../train/plots.js';
import type { InputSpec } from './data.js';
import { pathIn } from './modeldir.js';

export const INLINE_CONFUSION_CLASSES = 100;

export interface RunSummary {
  run: object;
  seconds: number;
  loss: (a: Tensor, b: Tensor) => Tensor;
  metrics: MetricName[];
  validation: Parameters<typeof evaluate>[1];
}

/** A CSV field, quoted when it holds a comma, quote or line break. */
const csvField = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** counts[true][predicted] as CSV, one Buffer per row (never one string of the whole matrix). */
function confusionCsv(m: number[][], classes: string[]): Buffer {
  const rows = [Buffer.from(`true\\predicted,${classes.map(csvField).join(',')}\n`)];
  m.forEach((row, i) => rows.push(Buffer.from(`${csvField(classes[i])},${row.join(',')}\n`)));
  return Buffer.concat(rows);
}

export function writeRunOutputs(out: string, model: Sequential, spec: InputSpec, validationName: string, result: FitResult, o: RunSummary): number {
  save(model, pathIn(out, 'model'), { metadata: { input: spec, run: o.run } });
  const final = evaluate(model, o.validation, { loss: o.loss, metrics: o.metrics });
  const classes = spec.classes ?? [];
  const { confusion, ...scores } = final;
  const inline = confusion !== undefined && confusion.length <= INLINE_CONFUSION_CLASSES;
  const metricsJson = {
    task: spec.task, evaluatedOn: validationName, epochs: result.epochs, stoppedEarly: result.stoppedEarly,
    trainSeconds: Number(o.seconds.toFixed(2)),
    final: { ...scores, ...(inline ? { confusion } : confusion ? { confusionFile: pathIn(out, 'confusionCsv') } : {}), classes: spec.classes },
    history: result.history, run: o.run,
  };
  writeFileAtomic(pathIn(out, 'metrics'), Buffer.from(`${JSON.stringify(metricsJson, null, 2)}\n`));
  writeFileAtomic(pathIn(out, 'curves'), Buffer.from(trainingCurvesSvg(result.history)));
  const written = [pathIn(out, 'model'), pathIn(out, 'metrics'), pathIn(out, 'curves')];
  if (confusion && inline) {
    writeFileAtomic(pathIn(out, 'confusion'), Buffer.from(confusionMatrixSvg(confusion, classes, `confusion matrix: ${validationName}`)));
    written.push(pathIn(out, 'confusion'));
    console.log(`\nconfusion matrix on ${validationName} (rows: true class, columns: predicted)`);
    console.log(formatConfusionMatrix(confusion, classes));
  } else if (confusion) {
    writeFileAtomic(pathIn(out, 'confusionCsv'), confusionCsv(confusion, classes));
    written.push(pathIn(out, 'confusionCsv'));
    console.log(`\nconfusion matrix on ${validationName}: ${confusion.length} classes, written to ${pathIn(out, 'confusionCsv')}`);
  }
  const summary = final.accuracy !== undefined
    ? `accuracy ${(100 * final.accuracy).toFixed(2)}% (${Math.round(final.accuracy * final.samples)}/${final.samples})`
    : `mse ${final.mse?.toFixed(4) ?? '-'}, mae ${final.mae?.toFixed(4)}`;
  console.log(`\n${validationName}: loss ${final.loss.toFixed(4)}, ${summary}`);
  console.log(`trained ${result.epochs} epochs in ${o.seconds.toFixed(1)} s; wrote ${written.join(', ')}`);
  return 0;
}
