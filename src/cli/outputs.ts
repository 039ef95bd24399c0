// The files a finished `nabla train` run writes, in the order that keeps the most: the model
// first (nothing after it can lose it), then metrics.json, curves.svg, the confusion matrix and
// report.html (all of it in one page). Classifiers get per-class precision, recall and F1 too.
// Every output is bounded: above INLINE_CONFUSION_CLASSES classes the confusion matrix goes to
// confusion.csv row by row instead of into metrics.json (one JSON string of 10⁸ counts passes
// V8's string limit), with no plot and no print (nobody reads a 10,000-column table).

import type { Dataset } from '../data/dataset.js';
import { save } from '../io/index.js';
import { writeFileAtomic } from '../io/atomic.js';
import { evaluate, type EvalResult } from '../train/evaluate.js';
import { formatClassScores, formatConfusionMatrix, perClassScores } from '../train/metrics.js';
import { confusionMatrixSvg, trainingCurvesSvg } from '../train/plots.js';
import { runReportHtml } from '../train/report.js';
import type { InputSpec } from './data.js';
import { explainSequential } from './explain.js';
import { files, pathIn } from './modeldir.js';
import type { TrainedModel } from './train-run.js';
import { getBackend } from '../backend/index.js';

export const INLINE_CONFUSION_CLASSES = 100;

export interface RunSummary {
  /** The data's name, for the report's title. */
  name: string;
  spec: InputSpec;
  validationName: string;
  /** The data the finished model is scored on, targets in their own units. */
  evaluation: Dataset;
  run: object;
  seconds: number;
  batchSize: number;
}

/** A CSV field, quoted when it holds a comma, quote or line break. */
const csvField = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** counts[true][predicted] as CSV, one Buffer per row (never one string of the whole matrix). */
function confusionCsv(m: number[][], classes: string[]): Buffer {
  const rows = [Buffer.from(`true\\predicted,${classes.map(csvField).join(',')}\n`)];
  m.forEach((row, i) => rows.push(Buffer.from(`${csvField(classes[i])},${row.join(',')}\n`)));
  return Buffer.concat(rows);
}

export async function writeRunOutputs(out: string, trained: TrainedModel, o: RunSummary): Promise<number> {
  const { model, result } = trained;
  const { spec, validationName } = o;
  save(model, pathIn(out, 'model'), { metadata: { input: spec, run: o.run } });
  const final = await evaluate(model, o.evaluation, { loss: trained.loss, metrics: trained.metrics });
  const classes = spec.classes ?? [];
  const { confusion, samples, ...scores } = final;
  const perClass = confusion ? perClassScores(confusion, classes) : null;
  const inline = confusion !== undefined && confusion.length <= INLINE_CONFUSION_CLASSES;
  const metricsJson = {
    task: spec.task,
    evaluatedOn: validationName,
    epochs: result.epochs,
    stoppedEarly: result.stoppedEarly,
    restoredEpoch: trained.stopper?.restoredEpoch ?? null,
    trainSeconds: Number(o.seconds.toFixed(2)),
    backend: getBackend(),
    final: {
      ...scores,
      samples,
      ...(inline ? { confusion } : confusion ? { confusionFile: pathIn(out, 'confusionCsv') } : {}),
      classes: spec.classes,
      ...(perClass ? { perClass } : {}),
    },
    history: result.history,
    run: o.run,
  };
  writeFileAtomic(pathIn(out, 'metrics'), Buffer.from(`${JSON.stringify(metricsJson, null, 2)}\n`));
  writeFileAtomic(pathIn(out, 'curves'), Buffer.from(trainingCurvesSvg(result.history)));
  const written = [pathIn(out, 'model'), pathIn(out, 'metrics'), pathIn(out, 'curves')];
  if (confusion && inline) {
    writeFileAtomic(
      pathIn(out, 'confusion'),
      Buffer.from(confusionMatrixSvg(confusion, classes, `confusion matrix: ${validationName}`)),
    );
    written.push(pathIn(out, 'confusion'));
    console.log(`\nconfusion matrix on ${validationName} (rows: true class, columns: predicted)`);
    console.log(formatConfusionMatrix(confusion, classes));
    console.log(`\n${formatClassScores(perClass ?? [])}`);
  } else if (confusion) {
    writeFileAtomic(pathIn(out, 'confusionCsv'), confusionCsv(confusion, classes));
    written.push(pathIn(out, 'confusionCsv'));
    console.log(
      `\nconfusion matrix on ${validationName}: ${confusion.length} classes, written to ${pathIn(out, 'confusionCsv')} (per-class scores in ${pathIn(out, 'metrics')})`,
    );
  }
  writeFileAtomic(
    pathIn(out, 'report'),
    Buffer.from(
      runReportHtml(
        {
          title: `nabla train: ${o.name}`,
          settings: o.run as Record<string, unknown>,
          modelSummary: explainSequential(model, spec, o.batchSize),
          history: result.history,
          final: { ...scores },
          evaluatedOn: validationName,
          classes: spec.classes,
          confusion: confusion ?? null,
          perClass,
        },
        { inlineClasses: INLINE_CONFUSION_CLASSES, confusionFile: files.confusionCsv },
      ),
    ),
  );
  written.push(pathIn(out, 'report'));
  console.log(`\n${validationName}: ${formatScores(final)}`);
  console.log(`trained ${result.epochs} epochs in ${o.seconds.toFixed(1)} s; wrote ${written.join(', ')}`);
  return 0;
}

/** The headline of an evaluation: loss and accuracy, or loss, R², RMSE and MAE. */
export function formatScores(r: EvalResult): string {
  if (r.accuracy !== undefined)
    return `loss ${r.loss.toFixed(4)}, accuracy ${(100 * r.accuracy).toFixed(2)}% (${Math.round(r.accuracy * r.samples)}/${r.samples})`;
  const parts = [`mse ${r.loss.toPrecision(5)}`];
  if (r.r2 !== undefined) parts.push(`r2 ${r.r2.toFixed(4)}`);
  if (r.rmse !== undefined) parts.push(`rmse ${r.rmse.toPrecision(5)}`);
  if (r.mae !== undefined) parts.push(`mae ${r.mae.toPrecision(5)}`);
  return `${parts.join(', ')} (${r.samples} rows)`;
}
