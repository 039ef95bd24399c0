// CSV reader: a header row, feature columns (numbers, or text one-hot encoded; empty cells
// imputed: table-encoding.ts), a target column by name. Class labels (any strings) map to indices
// through `classes`, and the encoding and standardisation statistics are fitted on training data;
// all are plain JSON so they are saved with the model and reused to predict.

import { Tensor } from '../tensor.js';
import { DataFileError } from './errors.js';
import { TensorDataset } from './dataset.js';
import { csvLimits, readCsvFile, type CsvTable } from './csv-table.js';
import {
  encodeColumns,
  encodedWidth,
  fitEncoding,
  MAX_CATEGORIES,
  numbersOnly,
  type MissingPolicy,
  type RawColumns,
  type TableEncoding,
} from './table-encoding.js';

/** Per-feature mean and standard deviation (population), fitted on training inputs. */
export interface Standardizer {
  /** Each feature's mean. */
  mean: number[];
  /** Each feature's standard deviation (1 for a constant column). */
  std: number[];
}

/** The mean and population standard deviation of each column of x [N, F] (as sklearn's StandardScaler.fit). */
export function fitStandardizer(x: Tensor): Standardizer {
  const [n, f] = x.shape;
  const mean = new Array<number>(f).fill(0);
  const sq = new Array<number>(f).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) mean[j] += x.data[i * f + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) sq[j] += (x.data[i * f + j] - mean[j]) ** 2 / n;
  // A constant column keeps std 1, so it maps to 0 instead of dividing by zero.
  return { mean, std: sq.map((v) => (v > 0 ? Math.sqrt(v) : 1)) };
}

/** (x − mean) / std per column of x [N, F], as float32 (StandardScaler.transform). */
export function applyStandardizer(x: Tensor, s: Standardizer): Tensor {
  const [n, f] = x.shape;
  if (s.mean.length !== f)
    throw new Error(`applyStandardizer: statistics for ${s.mean.length} features, input has ${f}`);
  const out = new Float32Array(x.size);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) out[i * f + j] = (x.data[i * f + j] - s.mean[j]) / s.std[j];
  return new Tensor(out, x.shape);
}

/** What a CSV target is: class labels (classification) or numbers (regression). */
export type Task = 'classification' | 'regression';

/** Options of loadCsv and csvFromTable: which columns, what task, and standardisation. */
export interface CsvOptions {
  /** The target column; without it the file is read as inputs only (for prediction). */
  target?: string;
  /** Feature columns in model order (from a trained model); default: every column but the target. */
  features?: string[];
  /** Default: classification when a label is not a number or the labels are ≤ 20 distinct integers. */
  task?: Task;
  /** Class names by index, from training; a label outside them is an error. */
  classes?: string[];
  /** true fits new statistics; a Standardizer (from training) is applied as it is. */
  standardize?: boolean | Standardizer;
  /** Columns left out of the features (--drop). */
  drop?: string[];
  /** What empty feature cells become when the encoding is fitted here (default 'mean'). */
  missing?: MissingPolicy;
  /** A trained model's encoding of the feature columns, applied as it is (its columns are the features). */
  encoding?: TableEncoding;
}

/**
 * A CSV file read into tensors, with what is needed to read another file the same way (features, classes, standardizer), all plain JSON to save with a model.
 */
export interface CsvData {
  /** The features encoded, [N, F] float32 (number columns, then one-hot text columns; standardised when asked). */
  inputs: Tensor;
  /** Class indices [N] or values [N, 1]; null when the file has no target column. */
  targets: Tensor | null;
  /** The feature columns, in the inputs' order. */
  featureNames: string[];
  /** The target column, or null. */
  target: string | null;
  /** Classification or regression. */
  task: Task;
  /** Class names by index (classification), or null. */
  classes: string[] | null;
  /** The statistics applied to the inputs, or null. */
  standardizer: Standardizer | null;
  /** How the feature columns became the inputs (one-hot text, filled empty cells). */
  encoding: TableEncoding;
}

// Numbers are decimal only: Number() would also read '0x10' as 16, '0b11' as 3 and '' as 0,
// quietly changing what a column means. Anything else is text (a class label) or an error.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

function isNumber(s: string): boolean {
  return DECIMAL.test(s);
}

/**
 * A number float32 holds once rounded: 3.4028235e38, the float32 maximum as printed, rounds to it
 * (the exact maximum is 3.40282346638…e38); from 3.40282357e38 on, it rounds to Infinity.
 */
const fitsFloat32 = (n: number) => Number.isFinite(Math.fround(n));

/**
 * A field's value as it will be stored (float32): NaN and infinities are refused (a model would
 * quietly learn or predict NaN), and so is a number that float32 cannot hold (1e39 → Infinity).
 */
function float32Value(v: string, file: string, line: number, where: string, expected: string): number {
  if (!isNumber(v)) {
    if (NON_FINITE.test(v))
      throw new DataFileError(
        file,
        line,
        `${where} has '${v}': not a finite number (NaN and infinities are not accepted)`,
      );
    throw new DataFileError(file, line, `${where} has '${v}', ${expected}`);
  }
  const n = Number(v);
  if (!fitsFloat32(n))
    throw new DataFileError(file, line, `${where} has '${v}', which overflows float32 (largest ±3.4028235e38)`);
  return n;
}

/**
 * A target column read row by row without keeping its strings: each row's number (NaN where the
 * label is not one) and its label's index among the distinct labels, in the order first seen.
 */
class TargetColumn {
  readonly values: Float64Array;
  readonly ids: Int32Array;
  readonly labels: string[] = [];
  private readonly index = new Map<string, number>();
  /** Distinct numbers, counted up to 21 (the guess only asks whether there are more than 20). */
  private readonly numbers = new Set<number>();
  allNumbers = true;
  allIntegers = true;
  /** More than csvLimits.classes distinct labels: ids are incomplete. */
  overflow = false;
  /** The first label that is not a float32 number, with its line: a regression target's error. */
  firstBad: { value: string; line: number } | null = null;
  /** The first label that is not a number at all, with its line. */
  firstText: { value: string; line: number } | null = null;

  constructor(rows: number) {
    this.values = new Float64Array(rows);
    this.ids = new Int32Array(rows);
  }

  add(i: number, v: string, line: number): void {
    const n = isNumber(v) ? Number(v) : NaN;
    this.values[i] = n;
    if (Number.isNaN(n)) {
      this.allNumbers = false;
      this.firstText ??= { value: v, line };
    } else {
      if (!Number.isInteger(n)) this.allIntegers = false;
      if (this.numbers.size <= 20) this.numbers.add(n);
    }
    if (this.firstBad === null && !fitsFloat32(n)) this.firstBad = { value: v, line };
    if (this.overflow) return;
    let id = this.index.get(v);
    if (id === undefined) {
      if (this.labels.length === csvLimits.classes) {
        this.overflow = true;
        return;
      }
      id = this.labels.length;
      this.index.set(v, id);
      this.labels.push(v);
    }
    this.ids[i] = id;
  }

  /**
   * Classification when the labels are text or ≤ 20 distinct integers, regression for other
   * numbers; 'mixed' for numbers that would be a regression target but for some text among them
   * (one typo, '12.3O', would otherwise make a classifier of every distinct value).
   */
  guessTask(): Task | 'mixed' {
    const classes = this.allIntegers && this.numbers.size <= 20;
    if (!this.allNumbers) return classes || this.numbers.size === 0 ? 'classification' : 'mixed';
    return classes ? 'classification' : 'regression';
  }
}

/**
 * Numeric labels are classes by their text, so '1', '1.0' and '01' would be three classes of one
 * number: refused, naming the second spelling's first line (write them alike, or train a regressor).
 */
function sameNumberTwice(target: TargetColumn, lines: Int32Array, file: string, column: string): void {
  if (!target.allNumbers) return;
  const first = new Map<number, string>();
  target.labels.forEach((label, id) => {
    const n = Number(label);
    const other = first.get(n);
    if (other === undefined) return first.set(n, label);
    const row = target.ids.indexOf(id);
    throw new DataFileError(
      file,
      lines[row],
      `target column '${column}' has '${label}' and '${other}', one number written two ways: as labels they would be two classes; write them alike (or --task regression)`,
    );
  });
}

function sortedClasses(values: string[]): string[] {
  const unique = [...values];
  return unique.every(isNumber) ? unique.sort((a, b) => Number(a) - Number(b)) : unique.sort();
}

/**
 * Reads a CSV file into tensors: numeric feature columns as inputs [N, F], and the target column
 * as class indices [N] (classification; labels may be any strings, mapped through `classes`) or
 * values [N, 1] (regression). NaN, infinities and non-numbers in a feature are errors naming the
 * line.
 *
 * @example
 * ```ts
 * const iris = data.loadCsv('iris.csv', { target: 'species', standardize: true });
 * const ds = data.csvDataset(iris);   // inputs [150, 4], targets [150]
 * ```
 */
export function loadCsv(path: string, options: CsvOptions = {}): CsvData {
  return csvFromTable(readCsvFile(path), options);
}

/** The first columns of a header, for a message (a table may have 10⁶ of them). */
function someColumns(header: string[]): string {
  return header.length <= 20 ? header.join(', ') : `${header.slice(0, 20).join(', ')}, … ${header.length} in all`;
}

/**
 * Which feature columns hold numbers and which text (no encoding given): a pass over the rows
 * finds the columns with text, and a second pass over those alone counts their values.
 */
function guessKinds(table: CsvTable, cols: number[]): ('number' | 'category')[] {
  const { file, header, lines } = table;
  const firstText = new Map<number, { value: string; line: number }>();
  // 'nan' and 'inf' are number-like: refused where numbers are read, rather than made categories.
  const isText = (v: string) => v !== '' && !isNumber(v) && !NON_FINITE.test(v);
  for (let i = 0; i < table.length; i++) {
    const row = table.row(i);
    cols.forEach((j, k) => {
      if (!firstText.has(k) && isText(row[j])) firstText.set(k, { value: row[j], line: lines[i] });
    });
  }
  const kinds = cols.map((_, k): 'number' | 'category' => (firstText.has(k) ? 'category' : 'number'));
  if (firstText.size === 0) return kinds;
  const text = new Map([...firstText.keys()].map((k) => [k, new Set<string>()]));
  const numbers = new Map([...firstText.keys()].map((k) => [k, new Set<number>()]));
  for (let i = 0; i < table.length; i++) {
    const row = table.row(i);
    for (const [k, values] of text) {
      const v = row[cols[k]];
      if (isText(v)) values.add(v);
      else if (v !== '' && !NON_FINITE.test(v)) (numbers.get(k) as Set<number>).add(Number(v));
    }
  }
  for (const [k, values] of text) {
    const name = header[cols[k]];
    const first = firstText.get(k) as { value: string; line: number };
    if (values.size > MAX_CATEGORIES)
      throw new DataFileError(
        file,
        null,
        `column '${name}' has more than ${MAX_CATEGORIES} distinct text values, too many to be categories; leave it out with --drop ${name}`,
      );
    // One typo among numbers ('12.3O') would otherwise make categories of every distinct number.
    const n = numbers.get(k) as Set<number>;
    if (n.size > 20 || [...n].some((x) => !Number.isInteger(x)))
      throw new DataFileError(
        file,
        first.line,
        `column '${name}' has '${first.value}' among numbers: fix the value, leave the cell empty for a missing value, or leave the column out with --drop ${name}`,
      );
  }
  return kinds;
}

/** The feature columns of a table and what it reads them into, before they are encoded. */
export interface CsvColumns {
  /** The feature columns as read (numbers, or text as category indices; NaN for empty cells). */
  columns: RawColumns;
  /** Class indices [N] or values [N, 1]; null when the file has no target column. */
  targets: Tensor | null;
  /** The target column, or null. */
  target: string | null;
  /** Classification or regression. */
  task: Task;
  /** Class names by index (classification), or null. */
  classes: string[] | null;
}

/**
 * loadCsv's reading for an already parsed table: the feature columns as they are (numbers, or
 * text for one-hot encoding; a column's kind is the model encoding's, else guessed) and the
 * target. Each row is read once for the values, and once more to guess the kinds.
 */
export function readCsvColumns(table: CsvTable, options: CsvOptions = {}): CsvColumns {
  const { file, header, lines } = table;
  const position = new Map(header.map((name, j) => [name, j]));
  const column = (name: string, role: string): number => {
    const j = position.get(name);
    if (j === undefined)
      throw new DataFileError(file, 1, `no ${role} column '${name}' in the header (columns: ${someColumns(header)})`);
    return j;
  };
  const given = options.encoding ? options.encoding.columns.map((c) => c.name) : options.features;
  const hasTarget = options.target !== undefined && (given === undefined || position.has(options.target));
  const t = hasTarget ? column(options.target as string, 'target') : -1;
  for (const name of options.drop ?? []) column(name, 'dropped');
  const dropped = new Set(options.drop);
  const featureNames = (given ?? header.filter((_, j) => j !== t)).filter((name) => !dropped.has(name));
  if (featureNames.length === 0) throw new DataFileError(file, 1, 'no feature columns besides the target');
  const cols = featureNames.map((name) => column(name, 'feature'));
  const kinds = options.encoding ? options.encoding.columns.map((c) => c.kind) : guessKinds(table, cols);

  const n = table.length;
  const f = cols.length;
  const x = new Float32Array(n * f);
  const labels = kinds.map((k) => (k === 'category' ? new Map<string, number>() : null));
  const target = t === -1 ? null : new TargetColumn(n);
  const known = options.classes ? new Map(options.classes.map((c, i) => [c, i])) : null;
  for (let i = 0; i < n; i++) {
    const row = table.row(i);
    for (let k = 0; k < f; k++) {
      const v = row[cols[k]];
      const ids = labels[k];
      if (v === '') x[i * f + k] = NaN;
      else if (!ids)
        x[i * f + k] = float32Value(v, file, lines[i], `column '${featureNames[k]}'`, 'expected a decimal number');
      else {
        let id = ids.get(v);
        if (id === undefined) ids.set(v, (id = ids.size));
        x[i * f + k] = id;
      }
    }
    if (!target) continue;
    const v = row[t];
    if (v === '')
      throw new DataFileError(file, lines[i], `target column '${header[t]}' is empty: every row needs a target value`);
    if (known && !known.has(v)) {
      throw new DataFileError(
        file,
        lines[i],
        `label '${v}' in column '${header[t]}' was not seen at training time (known: ${(options.classes as string[]).join(', ')})`,
      );
    }
    target.add(i, v, lines[i]);
  }
  const columns: RawColumns = {
    names: featureNames,
    kinds,
    rows: n,
    values: x,
    labels: labels.map((ids) => (ids ? [...ids.keys()] : null)),
  };

  const guess = options.task ?? (options.classes ? 'classification' : target ? target.guessTask() : 'regression');
  if (guess === 'mixed') {
    const text = target?.firstText as { value: string; line: number };
    throw new DataFileError(
      file,
      text.line,
      `target column '${header[t]}' has '${text.value}' among numbers that make it a regression target (more than 20 distinct values): fix the value, or give --task classification to read every value as a label`,
    );
  }
  const task: Task = guess;
  let targets: Tensor | null = null;
  let classes: string[] | null = null;
  if (task === 'classification') {
    if (target?.overflow && !known) {
      throw new DataFileError(
        file,
        null,
        `target column '${header[t]}' has more than ${csvLimits.classes} distinct labels, too many to be classes`,
      );
    }
    if (target && !known) sameNumberTwice(target, lines, file, header[t]);
    classes = options.classes ?? sortedClasses(target ? target.labels : []);
    if (!options.classes && target && classes.length < 2) {
      throw new DataFileError(
        file,
        null,
        `target column '${header[t]}' has a single class '${classes[0]}': a classifier needs at least two`,
      );
    }
    if (target) {
      const index = new Map(classes.map((c, i) => [c, i]));
      const rank = Int32Array.from(target.labels, (label) => index.get(label) as number);
      targets = new Tensor(
        Float32Array.from(target.ids, (id) => rank[id]),
        [n],
      );
    }
  } else if (target) {
    const bad = target.firstBad;
    if (bad)
      float32Value(
        bad.value,
        file,
        bad.line,
        `target column '${header[t]}'`,
        'expected a decimal number for regression',
      );
    targets = new Tensor(Float32Array.from(target.values), [n, 1]);
  }
  return { columns, targets, target: t === -1 ? null : header[t], task, classes };
}

/**
 * loadCsv for an already parsed table: the columns read (readCsvColumns), encoded (the model's
 * encoding, else one fitted on every row of the table with options.missing) and standardised.
 */
export function csvFromTable(table: CsvTable, options: CsvOptions = {}): CsvData {
  const read = readCsvColumns(table, options);
  const { columns } = read;
  const all = Int32Array.from({ length: columns.rows }, (_, i) => i);
  const encoding = options.encoding ?? fitEncoding(columns, all, options.missing ?? 'mean', table.file);
  let inputs = new Tensor(encodeColumns(columns, encoding, table.file, table.lines), [
    columns.rows,
    encodedWidth(encoding),
  ]);
  let standardizer: Standardizer | null = null;
  if (options.standardize === true) standardizer = numbersOnly(fitStandardizer(inputs), encoding);
  else if (options.standardize) standardizer = options.standardize;
  if (standardizer) inputs = applyStandardizer(inputs, standardizer);
  const { targets, target, task, classes } = read;
  return { inputs, targets, featureNames: columns.names, target, task, classes, standardizer, encoding };
}

/** A TensorDataset of a CSV that has targets. */
export function csvDataset(data: CsvData): TensorDataset {
  if (!data.targets) throw new Error('csvDataset: the CSV has no target column');
  return new TensorDataset(data.inputs, data.targets);
}
