// What --data names, made into datasets: `mnist` (the bundled digits, 8,000 train and 2,000
// held-out test), a directory of MNIST IDX files (60,000 train, 10,000 test), a directory of
// class subfolders of PNG/JPEG images (torchvision's ImageFolder; a validation part split off by
// --seed), or a CSV file (a validation part split off by a fixed seed before the column encoding
// and standardisation are fitted). The description of the inputs (features, their encoding,
// classes, standardisation) is what gets saved with the model to read data the same way later.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { gatherRows, Subset, TensorDataset } from '../data/dataset.js';
import { bundledMnistSplit } from '../data/mnist.js';
import { loadMnistDir } from '../data/idx.js';
import { ImageFolder } from '../data/image-folder.js';
import { decodeImageFile, imageToPixels, isImageFile } from '../data/image.js';
import { readCsvFile } from '../data/csv-table.js';
import {
  applyStandardizer,
  csvFromTable,
  fitStandardizer,
  readCsvColumns,
  type CsvColumns,
  type Standardizer,
  type Task,
} from '../data/csv.js';
import {
  encodeColumns,
  encodedWidth,
  fitEncoding,
  numberColumns,
  numbersOnly,
  rowsWithoutMissing,
  type MissingPolicy,
  type RawColumns,
  type TableEncoding,
} from '../data/table-encoding.js';
import { seededPermutation } from '../random.js';
import { Tensor } from '../tensor.js';
import { UsageError } from './errors.js';

/** How a model reads its inputs; saved as the model's metadata. */
export interface InputSpec {
  /** Where the inputs come from: the bundled digits, MNIST IDX files, a folder of class subfolders of images, a CSV. */
  kind: 'mnist' | 'idx' | 'images' | 'csv';
  task: Task;
  inputs: number;
  outputs: number;
  classes: string[] | null;
  featureNames: string[] | null;
  target: string | null;
  standardizer: Standardizer | null;
  /**
   * CSV: how the feature columns (featureNames) became the inputs: one-hot text, filled empty
   * cells. Absent in files written before it existed (number columns, empty cells refused): read
   * it with encodingOf.
   */
  encoding?: TableEncoding | null;
  /**
   * Regression: the mean and std the targets were standardised with in training (from the
   * training rows). Recorded for reference only: the saved model's last layer has them folded in,
   * so it predicts in the target's own units. Absent in files written before it existed.
   */
  targetScale?: Standardizer | null;
  /**
   * One image's [channels, height, width] for images (pixel rows in C, H, W order), else null.
   * Files written before CNNs recorded [height, width]: read them with imageShapeOf.
   */
  imageShape: [number, number, number] | [number, number] | null;
}

export interface TrainingData {
  name: string;
  spec: InputSpec;
  train: Dataset;
  /** Validation data (for MNIST, the held-out test digits), targets as training sees them. */
  validation: Dataset;
  /** The data the finished model is scored on, targets in their own units (for a CSV, the validation rows). */
  evaluation: Dataset;
  validationName: string;
}

const digitClasses = Array.from({ length: 10 }, (_, i) => String(i));

function imageSpec(
  kind: 'mnist' | 'idx' | 'images',
  imageShape: [number, number, number],
  classes = digitClasses,
): InputSpec {
  return {
    kind,
    task: 'classification',
    inputs: imageShape[0] * imageShape[1] * imageShape[2],
    outputs: classes.length,
    classes,
    featureNames: null,
    target: null,
    standardizer: null,
    imageShape,
  };
}

/** A spec's image shape as [C, H, W] (older files recorded [H, W] of one channel), or null. */
export function imageShapeOf(spec: InputSpec): [number, number, number] | null {
  const s = spec.imageShape;
  if (!s) return null;
  return s.length === 2 ? [1, s[0], s[1]] : s;
}

/** --image-shape given with images that carry their own: it must agree. */
function checkImageShape(
  flag: [number, number, number] | undefined,
  actual: [number, number, number],
  source: string,
): void {
  if (flag && flag.join() !== actual.join()) {
    throw new UsageError(
      `--image-shape ${flag.join(',')}: the images of ${source} are ${actual.join(',')} (C,H,W); leave the flag out for them`,
    );
  }
}

/**
 * Image CSVs are scaled to [0, 1] by the largest pixel value of the training rows (255 for
 * bytes), one factor for every column, so zero stays the background that random shifts fill
 * in; saved as a Standardizer (mean 0, std the factor) so eval and predict read files the same way.
 */
function fitPixelScale(x: Tensor): Standardizer {
  let max = 0;
  for (let i = 0; i < x.size; i++) if (Math.abs(x.data[i]) > max) max = Math.abs(x.data[i]);
  const f = x.shape[1];
  return { mean: new Array<number>(f).fill(0), std: new Array<number>(f).fill(max > 0 ? max : 1) };
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/**
 * What a --data directory holds: 'images' (class subfolders, no IDX files), 'idx' (MNIST IDX
 * files), else a UsageError saying what was expected.
 */
function directoryKind(dir: string): 'images' | 'idx' {
  const entries = readdirSync(dir, { withFileTypes: true });
  if (entries.some((e) => /^(train|t10k)-(images|labels)[.-]idx/.test(e.name))) return 'idx';
  if (entries.some((e) => isDir(join(dir, e.name)))) return 'images';
  throw new UsageError(
    `--data ${dir}: neither MNIST IDX files (train-images-idx3-ubyte, ...) nor class subfolders of PNG/JPEG images (${join(dir, 'CLASS', 'IMAGE.png')})`,
  );
}

/** The images of a folder of class subfolders, read at the model's shape with the model's classes. */
function imageFolderFor(dir: string, spec: InputSpec): ImageFolder {
  const [channels, height, width] = imageShapeOf(spec)!;
  return new ImageFolder(dir, { size: [height, width], channels: channels as 1 | 3, classes: spec.classes! });
}

export interface DataFlags {
  data: string;
  target?: string;
  /** CSV: the feature columns (default: all but the target and --drop). */
  features?: string[];
  /** CSV: columns left out. */
  drop?: string[];
  /** CSV: what empty feature cells become (default mean). */
  missing?: MissingPolicy;
  task?: Task;
  standardize?: boolean;
  /** Regression: standardise the target too (un-standardised in the saved model's predictions). */
  standardizeTarget?: boolean;
  valSplit: number;
  seed: number;
  /** --image-shape C,H,W: the CSV's feature columns are the pixels of one image of this shape. */
  imageShape?: [number, number, number];
}

export function loadTrainingData(flags: DataFlags): TrainingData {
  const { data } = flags;
  if (data === 'mnist') {
    const { train, test } = bundledMnistSplit();
    checkImageShape(flags.imageShape, [1, 28, 28], 'mnist');
    return {
      name: 'mnist',
      spec: imageSpec('mnist', [1, 28, 28]),
      train,
      validation: test,
      evaluation: test,
      validationName: 'the 2,000 held-out test digits',
    };
  }
  if (isDir(data) && directoryKind(data) === 'images') {
    const shape = flags.imageShape;
    if (shape && shape[0] !== 1 && shape[0] !== 3)
      throw new UsageError(`--image-shape ${shape.join(',')}: images have 1 (grey) or 3 (RGB) channels`);
    const folder = new ImageFolder(data, shape ? { channels: shape[0] as 1 | 3, size: [shape[1], shape[2]] } : {});
    const nVal = Math.max(1, Math.round(folder.length * flags.valSplit));
    if (nVal >= folder.length)
      throw new UsageError(
        `--val-split ${flags.valSplit}: holds out ${nVal} of the ${folder.length} images of ${data}, leaving none to train on`,
      );
    const perm = seededPermutation(folder.length, flags.seed);
    const validation = new Subset(folder, perm.slice(folder.length - nVal));
    return {
      name: basename(data),
      spec: imageSpec('images', folder.imageShape, folder.classes),
      train: new Subset(folder, perm.slice(0, folder.length - nVal)),
      validation,
      evaluation: validation,
      validationName: `${nVal} validation images split off by --seed`,
    };
  }
  if (isDir(data)) {
    const { train, test, imageShape } = loadMnistDir(data);
    checkImageShape(flags.imageShape, [1, ...imageShape], data);
    return {
      name: basename(data),
      spec: imageSpec('idx', [1, ...imageShape]),
      train,
      validation: test,
      evaluation: test,
      validationName: 'the t10k test set',
    };
  }
  const source = readCsvSource(flags);
  const [trainRows, valRows] = splitOffValidation(
    source,
    Int32Array.from({ length: source.rows }, (_, i) => i),
    flags,
  );
  const parts = prepareCsvRows(source, { train: trainRows, validation: valRows }, flags);
  return { name: source.name, ...parts, validationName: `${valRows.length} validation rows split off by --seed` };
}

/** A CSV read for training, before any split: the columns, and what the flags made of them. */
export interface CsvSource {
  name: string;
  file: string;
  csv: CsvColumns & { targets: Tensor };
  /** The file line of each row (rows with an empty cell are gone under --missing drop). */
  lines: Int32Array;
  missing: MissingPolicy;
  shape: [number, number, number] | null;
  rows: number;
}

/** The columns and targets of these rows only. */
function keepRows(csv: CsvSource['csv'], rows: Int32Array): CsvSource['csv'] {
  const c = csv.columns;
  const values = gatherRows(new Tensor(c.values, [c.rows, c.names.length]), rows).data as Float32Array;
  const columns: RawColumns = { ...c, rows: rows.length, values };
  return { ...csv, columns, targets: gatherRows(csv.targets, rows) };
}

export function readCsvSource(flags: DataFlags): CsvSource {
  const { data } = flags;
  if (extname(data).toLowerCase() !== '.csv' && !existsSync(data)) {
    throw new UsageError(`--data ${data}: expected 'mnist', a directory of MNIST IDX files, or a .csv file`);
  }
  if (!flags.target) throw new UsageError(`--target is required with a CSV file: name the column to predict`);
  const table = readCsvFile(data);
  let csv = readCsvColumns(table, {
    target: flags.target,
    task: flags.task,
    features: flags.features,
    drop: flags.drop,
  }) as CsvSource['csv'];
  let lines = table.lines;
  const missing = flags.missing ?? 'mean';
  if (missing === 'drop') {
    const kept = rowsWithoutMissing(csv.columns);
    if (kept.length < csv.columns.rows) {
      csv = keepRows(csv, kept);
      lines = Int32Array.from(kept, (i) => table.lines[i]);
      console.log(
        `--missing drop: ${table.length - kept.length} of ${table.length} rows have an empty cell and are left out`,
      );
    }
  }
  const shape = flags.imageShape ?? null;
  const columns = csv.columns.names.length;
  if (shape && (shape[0] * shape[1] * shape[2] !== columns || csv.columns.kinds.includes('category'))) {
    throw new UsageError(
      `--image-shape ${shape.join(',')}: ${shape.join('×')} = ${shape[0] * shape[1] * shape[2]} pixels, but ${data} has ${columns} feature columns (all but --target ${csv.target})${csv.columns.kinds.includes('category') ? ', some of them text' : ''}`,
    );
  }
  const rows = csv.columns.rows;
  if (rows < 2) throw new UsageError(`${data}: need at least 2 data rows to split off validation data`);
  return { name: basename(data, extname(data)), file: data, csv, lines, missing, shape, rows };
}

/** `rows` split by --seed into the rows to train on and --val-split of them held out for validation. */
export function splitOffValidation(
  source: CsvSource,
  rows: Int32Array,
  flags: { valSplit: number; seed: number },
): [Int32Array, Int32Array] {
  const nVal = Math.max(1, Math.round(rows.length * flags.valSplit));
  if (nVal >= rows.length) {
    throw new UsageError(
      `--val-split ${flags.valSplit}: holds out ${nVal} of the ${rows.length} rows of ${source.file}, leaving none to train on`,
    );
  }
  const perm = seededPermutation(rows.length, flags.seed);
  const picked = (from: number, to: number) => Int32Array.from(perm.subarray(from, to), (i) => rows[i]);
  return [picked(0, rows.length - nVal), picked(rows.length - nVal, rows.length)];
}

/**
 * The datasets of one split of a CSV's rows. The column encoding (categories, fill values), the
 * standardisation statistics of the features and, for regression with standardizeTarget, of the
 * target come from the training rows alone, so nothing about the held-out rows leaks into
 * training; every part is then mapped with them. `evaluation` (the test rows if given, else the
 * validation rows) keeps the target in its own units: it scores the finished model, whose head
 * has the target scale folded in (target-scale.ts).
 */
export function prepareCsvRows(
  source: CsvSource,
  rows: { train: Int32Array; validation: Int32Array; test?: Int32Array },
  flags: { standardize?: boolean; standardizeTarget?: boolean },
): { spec: InputSpec; train: Dataset; validation: Dataset; evaluation: Dataset } {
  const { csv, shape } = source;
  const { columns } = csv;
  const encoding = fitEncoding(columns, rows.train, source.missing, source.file);
  const width = encodedWidth(encoding);
  const encoded = new Tensor(encodeColumns(columns, encoding, source.file, source.lines), [columns.rows, width]);
  const fitted = flags.standardize ? gatherRows(encoded, rows.train) : null;
  const standardizer = fitted ? (shape ? fitPixelScale(fitted) : numbersOnly(fitStandardizer(fitted), encoding)) : null;
  const inputs = standardizer ? applyStandardizer(encoded, standardizer) : encoded;
  const targetScale =
    csv.task === 'regression' && flags.standardizeTarget ? fitStandardizer(gatherRows(csv.targets, rows.train)) : null;
  const scaled = new TensorDataset(inputs, targetScale ? applyStandardizer(csv.targets, targetScale) : csv.targets);
  const raw = targetScale ? new TensorDataset(inputs, csv.targets) : scaled;
  const spec: InputSpec = {
    kind: 'csv',
    task: csv.task,
    inputs: width,
    outputs: csv.classes ? csv.classes.length : 1,
    classes: csv.classes,
    featureNames: columns.names,
    target: csv.target,
    standardizer,
    encoding,
    imageShape: shape,
    targetScale,
  };
  return {
    spec,
    train: new Subset(scaled, rows.train),
    validation: new Subset(scaled, rows.validation),
    evaluation: new Subset(raw, rows.test ?? rows.validation),
  };
}

/** How a CSV model reads its feature columns: its encoding, or (files written before encodings) its number columns. */
export function encodingOf(spec: InputSpec): TableEncoding | undefined {
  return spec.encoding ?? (spec.featureNames ? numberColumns(spec.featureNames) : undefined);
}

/** Labelled data read the way the model's spec says (eval, and predict with labels). */
export function loadLabelledData(source: string, spec: InputSpec): { dataset: TensorDataset; name: string } {
  if (spec.kind === 'images') {
    if (!isDir(source))
      throw new UsageError(
        `--data ${source}: this model reads images; give a folder of class subfolders of PNG/JPEG files`,
      );
    const folder = imageFolderFor(source, spec);
    const [x, y] = folder.getBatch(Int32Array.from({ length: folder.length }, (_, i) => i));
    return { dataset: new TensorDataset(x, y), name: source };
  }
  if (source === 'mnist' || isDir(source)) {
    if (spec.kind === 'csv')
      throw new UsageError(
        `--data ${source}: this model was trained on CSV columns (${(spec.featureNames ?? []).join(', ')}), not on images`,
      );
    if (source === 'mnist') {
      const { test } = bundledMnistSplit();
      const [x, y] = test.getBatch(Int32Array.from({ length: test.length }, (_, i) => i));
      return { dataset: new TensorDataset(x, y), name: 'the 2,000 held-out test digits' };
    }
    const { test } = loadMnistDir(source);
    if (test.inputs.shape[1] !== spec.inputs)
      throw new UsageError(
        `--data ${source}: images have ${test.inputs.shape[1]} pixels, the model takes ${spec.inputs}`,
      );
    return { dataset: test, name: `${source} (t10k)` };
  }
  if (spec.kind !== 'csv') {
    throw new UsageError(
      `--data ${source}: this model takes ${spec.inputs} pixel inputs; give 'mnist' or a directory of MNIST IDX files`,
    );
  }
  const csv = csvFromTable(readCsvFile(source), {
    target: spec.target ?? undefined,
    encoding: encodingOf(spec),
    missing: 'error',
    task: spec.task,
    classes: spec.classes ?? undefined,
    standardize: spec.standardizer ?? false,
  });
  if (!csv.targets) throw new UsageError(`${source}: no target column '${spec.target}' to evaluate against`);
  return { dataset: new TensorDataset(csv.inputs, csv.targets), name: source };
}

/**
 * The images `predict` reads for an image-folder model: one PNG/JPEG file, a folder of them, or a
 * folder of class subfolders (then with labels), at the model's shape; each row named by its file.
 */
export function readImagesForPredict(
  source: string,
  spec: InputSpec,
): { inputs: Tensor; targets: Tensor | null; files: string[] } {
  const [channels, height, width] = imageShapeOf(spec)!;
  const flat = isDir(source)
    ? readdirSync(source)
        .filter(isImageFile)
        .sort()
        .map((f) => join(source, f))
    : [source];
  if (isDir(source) && flat.length === 0) {
    const folder = imageFolderFor(source, spec);
    const [x, y] = folder.getBatch(Int32Array.from({ length: folder.length }, (_, i) => i));
    return { inputs: x, targets: y, files: folder.samples.map(([f]) => f) };
  }
  const row = channels * height * width;
  const x = new Float32Array(flat.length * row);
  flat.forEach((f, i) => imageToPixels(decodeImageFile(f), channels as 1 | 3, height, width, x, i * row));
  return { inputs: new Tensor(x, [flat.length, row]), targets: null, files: flat };
}
