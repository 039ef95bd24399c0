// `nabla train` on MNIST, IDX directories and CSV tables: one run (train-run.ts) with per-epoch
// checkpoints and --resume → model, metrics.json, curves.svg, report.html and (for classifiers)
// the confusion matrix; or, with --cv K, K-fold cross-validation (cross-validate.ts).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { imageShapeOf, loadTrainingData } from './data.js';
import { UsageError } from './errors.js';
import { pathIn } from './modeldir.js';
import { makeRunDirectory } from './run-directory.js';
import { writeRunOutputs } from './outputs.js';
import { untilInterrupted } from './interrupt.js';
import { buildModel, describeSettings, runSettings, trainModel, type TrainFlags } from './train-run.js';
import { crossValidateCommand } from './cross-validate.js';
import { fileDigest } from './file-digest.js';

export async function trainCommand(flags: TrainFlags): Promise<number> {
  if (flags.cv !== undefined) {
    if (flags.resume) throw new UsageError('--resume continues one interrupted run; it does not apply to --cv');
    return crossValidateCommand(flags);
  }
  const data = loadTrainingData(flags);
  const { spec } = data;
  const shape = imageShapeOf(spec);
  if (flags.model === 'cnn' && !shape) {
    throw new UsageError(
      `--model cnn needs images: --data mnist, a directory of MNIST IDX files, or a CSV of pixel columns with --image-shape C,H,W`,
    );
  }
  const cfg = runSettings(flags, shape !== null, data.train.length);
  if (cfg.augment > 0 && !shape)
    throw new UsageError(
      '--augment shifts images; it does not apply to CSV data (give --image-shape C,H,W for a CSV of pixels)',
    );
  const out = flags.out ?? join('runs', data.name);
  const checkpointPath = pathIn(out, 'checkpoint');
  if (flags.resume && !existsSync(checkpointPath))
    throw new UsageError(`--resume: no checkpoint at ${checkpointPath} to continue from`);

  // The settings that must be equal for --resume to continue the same run.
  const run = {
    data: flags.data,
    model: flags.model,
    imageShape: shape,
    target: flags.target ?? null,
    layers: cfg.layers,
    activation: flags.activation,
    dropout: cfg.dropout,
    optimizer: flags.optimizer,
    lr: cfg.lr,
    epochs: cfg.epochs,
    batchSize: cfg.batchSize,
    seed: flags.seed,
    schedule: cfg.schedule,
    augment: cfg.augment,
    clip: flags.clip ?? null,
    valSplit: flags.valSplit,
    features: flags.features ?? null,
    drop: flags.drop ?? [],
    missing: flags.missing ?? 'mean',
    standardize: flags.standardize,
    earlyStopping: cfg.earlyStopping,
    standardizeTarget: flags.standardizeTarget,
    // A CSV edited in place since the run began would be resumed on other rows without a word.
    ...(spec.kind === 'csv' ? { dataDigest: fileDigest(flags.data) } : {}),
  };
  // A run that fails keeps its checkpoint (and says so) and removes only the empty directories it made.
  const dir = makeRunDirectory(out, { checkpoint: checkpointPath, resume: flags.resume, force: flags.force });
  try {
    const model = buildModel(flags, cfg, spec);
    console.log(
      `training ${model.layers.map((l) => l.label()).join(' → ')} on ${data.name} (${data.train.length} samples; validation: ${data.validationName})`,
    );
    console.log(`${describeSettings(flags, cfg, spec)} → ${out}`);
    const started = performance.now();
    const trained = await untilInterrupted((signal) =>
      trainModel(model, flags, cfg, data, signal, { checkpoint: { path: checkpointPath, run, resume: flags.resume } }),
    );
    if (trained.result.interrupted) {
      console.log(
        `stopped after ${trained.result.history.length} full epoch(s); checkpoint written to ${checkpointPath}. Continue with the same command and --resume.`,
      );
      return 130;
    }
    const seconds = (performance.now() - started) / 1000;
    return await writeRunOutputs(out, trained, {
      name: data.name,
      spec,
      validationName: data.validationName,
      evaluation: data.evaluation,
      run,
      seconds,
      batchSize: cfg.batchSize,
    });
  } catch (e) {
    dir.failed();
    throw e;
  } finally {
    dir.release();
  }
}
