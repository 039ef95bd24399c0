// `nabla train --cv K`: K-fold cross-validation of the run the flags describe, on a CSV's rows
// (stratified for classification). Each fold trains on the other folds' rows, minus --val-split
// of them held out for early stopping, with the standardisation fitted on those training rows
// alone; it is scored on its own held-out rows, which nothing in its training saw. Prints each
// fold and the mean ± standard deviation, and writes them (with every fold's rows) to metrics.json.

import { join } from 'node:path';
import { kFold } from '../data/folds.js';
import { writeFileAtomic } from '../io/atomic.js';
import { evaluate, type EvalResult } from '../train/evaluate.js';
import { prepareCsvRows, readCsvSource, splitOffValidation } from './data.js';
import { UsageError } from './errors.js';
import { pathIn } from './modeldir.js';
import { makeRunDirectory } from './run-directory.js';
import { untilInterrupted } from './interrupt.js';
import { formatScores } from './outputs.js';
import {
  buildModel,
  describeSettings,
  runSettings,
  trainModel,
  type RunSettings,
  type TrainFlags,
} from './train-run.js';

type Scores = Omit<EvalResult, 'confusion' | 'confusionCells'>;

/** The mean and the population standard deviation (numpy's default, which scikit-learn's summaries use). */
function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length) };
}

export async function crossValidateCommand(flags: TrainFlags): Promise<number> {
  const k = flags.cv as number;
  if (flags.data === 'mnist' || !flags.data.toLowerCase().endsWith('.csv')) {
    throw new UsageError(
      `--cv ${k} splits the rows of a CSV file; --data ${flags.data} comes with its own test set (train without --cv)`,
    );
  }
  const source = readCsvSource(flags);
  const classify = source.csv.task === 'classification';
  if (k > source.rows)
    throw new UsageError(`--cv ${k}: ${source.file} has only ${source.rows} rows, fewer than the folds`);
  const folds = kFold(source.rows, k, flags.seed, classify ? source.csv.targets.data : undefined);
  const out = flags.out ?? join('runs', `${source.name}-cv${k}`);
  // Cross-validation writes nothing until every fold is done (no checkpoints): a failed or
  // interrupted run removes the directories it made, where nothing else was put in them.
  // --resume does not apply (refused above); --force replaces a run in --out.
  const dir = makeRunDirectory(out, { force: flags.force });
  try {
    console.log(
      `${k}-fold cross-validation${classify ? ' (stratified)' : ''} on ${source.name} (${source.rows} rows) → ${out}`,
    );

    let settings: RunSettings | null = null;
    const results: {
      fold: number;
      trainRows: number;
      validationRows: number;
      test: number[];
      epochs: number;
      restoredEpoch: number | null;
      scores: Scores;
    }[] = [];
    const interrupted = await untilInterrupted(async (signal) => {
      for (const [i, fold] of folds.entries()) {
        const [train, validation] = splitOffValidation(source, fold.train, flags);
        const data = prepareCsvRows(source, { train, validation, test: fold.test }, flags);
        const cfg = runSettings(flags, source.shape !== null, train.length);
        settings ??= cfg;
        const model = buildModel(flags, cfg, data.spec);
        if (i === 0)
          console.log(
            `training ${model.layers.map((l) => l.label()).join(' → ')}; ${describeSettings(flags, cfg, data.spec)}`,
          );
        const trained = await trainModel(model, flags, cfg, data, signal, { quiet: true });
        if (trained.result.interrupted) return true;
        const scores: Scores = await evaluate(trained.model, data.evaluation, {
          loss: trained.loss,
          metrics: trained.metrics,
          confusion: false,
        });
        const restoredEpoch = trained.stopper?.restoredEpoch ?? null;
        results.push({
          fold: i + 1,
          trainRows: train.length,
          validationRows: validation.length,
          test: Array.from(fold.test),
          epochs: trained.result.epochs,
          restoredEpoch,
          scores,
        });
        const stopped = restoredEpoch ? `, best epoch ${restoredEpoch}` : '';
        console.log(
          `fold ${i + 1}/${k}: ${train.length} rows to train (${validation.length} for early stopping), ${trained.result.epochs} epochs${stopped}; ${fold.test.length} test rows: ${formatScores(scores)}`,
        );
      }
      return false;
    }).catch((e: unknown) => {
      dir.failed();
      throw e;
    });
    if (interrupted) {
      dir.failed();
      console.log(
        `interrupted during fold ${results.length + 1} of ${k}; nothing written (cross-validation keeps no checkpoints)`,
      );
      return 130;
    }
    const names = (classify ? ['accuracy', 'loss'] : ['r2', 'rmse', 'mae', 'loss']) as (keyof Scores)[];
    const summary = Object.fromEntries(names.map((m) => [m, meanStd(results.map((r) => r.scores[m] as number))]));
    const line = names.map((m) => {
      const { mean, std } = summary[m];
      return m === 'accuracy'
        ? `accuracy ${(100 * mean).toFixed(2)}% ± ${(100 * std).toFixed(2)}`
        : `${m} ${mean.toPrecision(4)} ± ${std.toPrecision(2)}`;
    });
    console.log(`\nmean ± std over ${k} folds: ${line.join(', ')}`);
    const run = {
      data: flags.data,
      target: flags.target ?? null,
      cv: k,
      seed: flags.seed,
      valSplit: flags.valSplit,
      features: flags.features ?? null,
      drop: flags.drop ?? [],
      missing: flags.missing ?? 'mean',
      model: flags.model,
      optimizer: flags.optimizer,
      activation: flags.activation,
      standardize: flags.standardize,
      standardizeTarget: flags.standardizeTarget,
      // Set by the first fold (the closure's assignment is invisible to TypeScript's narrowing).
      ...(settings as RunSettings | null),
    };
    const json = {
      task: source.csv.task,
      folds: results,
      mean: Object.fromEntries(names.map((m) => [m, summary[m].mean])),
      std: Object.fromEntries(names.map((m) => [m, summary[m].std])),
      run,
    };
    writeFileAtomic(pathIn(out, 'metrics'), Buffer.from(`${JSON.stringify(json, null, 2)}\n`));
    console.log(`wrote ${pathIn(out, 'metrics')}`);
    return 0;
  } finally {
    dir.release();
  }
}
