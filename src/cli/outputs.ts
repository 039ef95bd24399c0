// The files a finished `nabla train` run writes, in the order that keeps the most: the model
// first (nothing after it can lose it), then metrics.json, curves.svg, the confusion matrix and
// report.html (all of it in one page). Classifiers get per-class precision, recall and F1 too.
// Every output is bounded: above INLINE_CONFUSION_CLASSES classes the confusion matrix is only
// its nonzero cells (at most one per sample: 25,000 classes made 6.25·10⁸ counts), written to
// confusion.csv as true,predicted,count rows instead of into metrics.json, with no plot; the
// terminal shows the most frequent mistakes.

import type { Dataset } from '../data/dataset.js';
import { save } from '../io/index.js';
import { writeFileAtomic } from '../io/atomic.js';
import { evaluate, type EvalResult } from '../train/evaluate.js';
import {
  classScoresFromCells,
  DENSE_CONFUSION_CLASSES,
  formatClassScores,
  formatConfusionMatrix,
  mostConfused,
  perClassScores,
  type ConfusionCells,
} from '../train/metrics.js';
import { confusionMatrixSvg, trainingCurvesSvg } from '../train/plots.js';
import { runReportHtml } from '../train/report.js';
import type { InputSpec } from './data.js';
import { explainSequential } from './explain.js';
import { files, pathIn } from './modeldir.js';
import type { TrainedModel } from './train-run.js';
import { getBackend } from '../backend/index.js';

export const INLINE_CONFUSION_CLASSES = DENSE_CONFUSION_CLASSES;

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

/** The nonzero cells of counts[true][predicted] as CSV rows true,predicted,count (never one string of them all). */
function confusionCsv(cells: ConfusionCells, classes: string[]): Buffer {
  const rows = [Buffer.from('true,predicted,count\n')];
  for (const [t, p, count] of cells)
    rows.push(Buffer.from(`${csvField(classes[t])},${csvField(classes[p])},${count}\n`));
  return Buffer.concat(rows);
}

export async function writeRunOutputs(out: string, trained: TrainedModel, o: RunSummary): Promise<number> {
  const { model, result } = trained;
  const { spec, validationName } = o;
  save(model, pathIn(out, 'model'), { metadata: { input: spec, run: o.run } });
  const final = await evaluate(model, o.evaluation, { loss: trained.loss, metrics: trained.metrics });
  checkFiniteScores(final, validationName);
  const classes = spec.classes ?? [];
  const { confusion, confusionCells: cells, samples, own: _own, ...scores } = final; // the CLI passes no metric functions
  const perClass = confusion ? perClassScores(confusion, classes) : cells ? classScoresFromCells(cells, classes) : null;
  const inline = confusion !== undefined;
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
      ...(inline ? { confusion } : cells ? { confusionFile: pathIn(out, 'confusionCsv') } : {}),
      classes: spec.classes,
      ...(perClass ? { perClass } : {}),
    },
    history: result.history,
    run: o.run,
  };
  writeFileAtomic(pathIn(out, 'metrics'), Buffer.from(`${JSON.stringify(metricsJson, null, 2)}\n`));
  writeFileAtomic(
    pathIn(out, 'curves'),
    Buffer.from(trainingCurvesSvg(result.history, trained.stopper?.restoredEpoch ?? null)),
  );
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
  } else if (cells) {
    writeFileAtomic(pathIn(out, 'confusionCsv'), confusionCsv(cells, classes));
    written.push(pathIn(out, 'confusionCsv'));
    console.log(
      `\nconfusion matrix on ${validationName}: ${classes.length} classes, its ${cells.length} nonzero cells written to ${pathIn(out, 'confusionCsv')} (per-class scores in ${pathIn(out, 'metrics')})`,
    );
    const mistakes = mostConfused(cells, classes);
    if (mistakes.length > 0) console.log(`most frequent mistakes (true → predicted): ${mistakes.join(', ')}`);
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
          restoredEpoch: trained.stopper?.restoredEpoch ?? null,
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

/**
 * Scores that are not finite are an error, never a line that looks like a result: a regression
 * target near float32's largest value (3.4e38) has squared errors, and so a loss, past it.
 */
export function checkFiniteScores(r: EvalResult, on: string): void {
  const bad = Object.entries(r).filter(([, v]) => typeof v === 'number' && !Number.isFinite(v));
  if (bad.length === 0) return;
  throw new Error(
    `the model's scores on ${on} are not finite (${bad.map(([k, v]) => `${k} ${v}`).join(', ')}): values this large overflow float32 arithmetic; scale the target (or the features) down`,
  );
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
