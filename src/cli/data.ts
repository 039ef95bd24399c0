// What --data names, made into datasets: `mnist` (the bundled digits, 8,000 train and 2,000
// held-out test), a directory of MNIST IDX files (60,000 train, 10,000 test), or a CSV file
// (a validation part split off by a fixed seed before standardisation is fitted). The
// description of the inputs (features, classes, standardisation) is what gets saved with the
// model to read data the same way later.

import { existsSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { gatherRows, randomSplit, Subset, TensorDataset } from '../data/dataset.js';
import { bundledMnistSplit } from '../data/mnist.js';
import { loadMnistDir } from '../data/idx.js';
import { applyStandardizer, csvFromTable, fitStandardizer, readCsvFile, type Standardizer, type Task } from '../data/csv.js';
import { UsageError } from './errors.js';

/** How a model reads its inputs; saved as the model's metadata. */
export interface InputSpec {
  kind: 'mnist' | 'idx' | 'csv';
  task: Task;
  inputs: number;
  outputs: number;
  classes: string[] | null;
  featureNames: string[] | null;
  target: string | null;
  standardizer: Standardizer | null;
  /** [height, width] for images. */
  imageShape: [number, number] | null;
}

export interface TrainingData {
  name: string;
  spec: InputSpec;
  train: Dataset;
  /** Validation data (for MNIST, the held-out test digits). */
  validation: Dataset;
  validationName: string;
}

const digitClasses = Array.from({ length: 10 }, (_, i) => String(i));

function imageSpec(kind: 'mnist' | 'idx', inputs: number): InputSpec {
  const side = Math.round(Math.sqrt(inputs));
  return {
    kind, task: 'classification', inputs, outputs: 10, classes: digitClasses, featureNames: null, target: null,
    standardizer: null, imageShape: side * side === inputs ? [side, side] : null,
  };
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

export interface DataFlags {
  data: string;
  target?: string;
  task?: Task;
  standardize?: boolean;
  valSplit: number;
  seed: number;
}

export function loadTrainingData(flags: DataFlags): TrainingData {
  const { data } = flags;
  if (data === 'mnist') {
    const { train, test } = bundledMnistSplit();
    return { name: 'mnist', spec: imageSpec('mnist', 784), train, validation: test, validationName: 'the 2,000 held-out test digits' };
  }
  if (isDir(data)) {
    const { train, test } = loadMnistDir(data);
    return { name: basename(data), spec: imageSpec('idx', train.inputs.shape[1]), train, validation: test, validationName: 'the t10k test set' };
  }
  if (extname(data).toLowerCase() !== '.csv' && !existsSync(data)) {
    throw new UsageError(`--data ${data}: expected 'mnist', a directory of MNIST IDX files, or a .csv file`);
  }
  if (!flags.target) throw new UsageError(`--target is required with a CSV file: name the column to predict`);
  const table = readCsvFile(data);
  const csv = csvFromTable(table, { target: flags.target, task: flags.task, standardize: false });
  const raw = new TensorDataset(csv.inputs, csv.targets as TensorDataset['targets']);
  if (raw.length < 2) throw new UsageError(`${data}: need at least 2 data rows to split off validation data`);
  const nVal = Math.max(1, Math.round(raw.length * flags.valSplit));
  // Split first: the standardisation statistics come from the training rows alone, so nothing
  // about the validation rows leaks into training; both parts are then mapped with them.
  const [trainRows, valRows] = randomSplit(raw, [raw.length - nVal, nVal], { seed: flags.seed });
  const standardizer = flags.standardize ? fitStandardizer(gatherRows(csv.inputs, trainRows.indices)) : null;
  const all = standardizer ? new TensorDataset(applyStandardizer(csv.inputs, standardizer), raw.targets) : raw;
  const train = new Subset(all, trainRows.indices);
  const validation = new Subset(all, valRows.indices);
  const spec: InputSpec = {
    kind: 'csv', task: csv.task, inputs: csv.featureNames.length, outputs: csv.classes ? csv.classes.length : 1,
    classes: csv.classes, featureNames: csv.featureNames, target: csv.target, standardizer, imageShape: null,
  };
  return { name: basename(data, extname(data)), spec, train, validation, validationName: `${nVal} validation rows split off by --seed` };
}

/** Labelled data read the way the model's spec says (eval, and predict with labels). */
export function loadLabelledData(source: string, spec: InputSpec): { dataset: TensorDataset; name: string } {
  if (source === 'mnist' || isDir(source)) {
    if (spec.kind === 'csv') throw new UsageError(`--data ${source}: this model was trained on CSV columns (${(spec.featureNames ?? []).join(', ')}), not on images`);
    if (source === 'mnist') {
      const { test } = bundledMnistSplit();
      const [x, y] = test.getBatch(Int32Array.from({ length: test.length }, (_, i) => i));
      return { dataset: new TensorDataset(x, y), name: 'the 2,000 held-out test digits' };
    }
    const { test } = loadMnistDir(source);
    if (test.inputs.shape[1] !== spec.inputs) throw new UsageError(`--data ${source}: images have ${test.inputs.shape[1]} pixels, the model takes ${spec.inputs}`);
    return { dataset: test, name: `${source} (t10k)` };
  }
  if (spec.kind !== 'csv') {
    throw new UsageError(`--data ${source}: this model takes ${spec.inputs} pixel inputs; give 'mnist' or a directory of MNIST IDX files`);
  }
  const csv = csvFromTable(readCsvFile(source), {
    target: spec.target ?? undefined, features: spec.featureNames ?? undefined, task: spec.task,
    classes: spec.classes ?? undefined, standardize: spec.standardizer ?? false,
  });
  if (!csv.targets) throw new UsageError(`${source}: no target column '${spec.target}' to evaluate against`);
  return { dataset: new TensorDataset(csv.inputs, csv.targets), name: source };
}
