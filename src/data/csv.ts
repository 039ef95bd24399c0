// CSV reader: a header row, numeric feature columns, a target column by name. Class labels
// (any strings) map to indices through `classes`, and standardisation statistics are fitted on
// training data; both are plain JSON so they are saved with the model and reused to predict.

import { Tensor } from '../tensor.js';
import { FLOAT32_MAX } from '../backend/contract.js';
import { readBounded } from '../io/read-bounded.js';
import { checkUtf8 } from './utf8.js';
import { DataFileError } from './errors.js';
import { TensorDataset } from './dataset.js';

/** A parsed CSV file: its header and rows of fields (strings), before any column is read as numbers. */
export interface CsvTable {
  /** The file's name, for messages. */
  file: string;
  /** The column names (the first row). */
  header: string[];
  /** The data rows' fields. */
  rows: string[][];
  /** 1-based file line of each row, for error messages. */
  lines: number[];
}

/** Splits one line into fields; double quotes may wrap a field, "" inside is a quote. */
function splitLine(line: string, file: string, lineNo: number): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new DataFileError(file, lineNo, 'unterminated quoted field');
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== ',')
        throw new DataFileError(file, lineNo, `expected a comma after a quoted field at column ${i + 1}`);
    } else {
      const end = line.indexOf(',', i);
      field = line.slice(i, end === -1 ? line.length : end);
      i = end === -1 ? line.length : end;
    }
    fields.push(field.trim());
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

/**
 * Parses CSV text: a header row, then data rows of as many fields (commas; double quotes may wrap a field, "" inside is a quote; blank lines skipped). A malformed row is a DataFileError naming the line.
 */
export function parseCsv(text: string, file = '<csv>'): CsvTable {
  return parseLines(text.split(/\r?\n/), file);
}

function parseLines(all: Iterable<string>, file: string): CsvTable {
  const lines: number[] = [];
  const rows: string[][] = [];
  let header: string[] | null = null;
  let k = 0;
  for (const line of all) {
    k++;
    if (line.trim() === '') continue;
    const fields = splitLine(line, file, k);
    if (!header) {
      header = fields;
      const seen = new Set<string>();
      for (const h of fields) {
        if (h === '') throw new DataFileError(file, k, 'empty column name in the header row');
        if (seen.has(h)) throw new DataFileError(file, k, `column '${h}' appears twice in the header row`);
        seen.add(h);
      }
      continue;
    }
    if (fields.length !== header.length) {
      throw new DataFileError(file, k, `${fields.length} fields, expected ${header.length} as in the header row`);
    }
    rows.push(fields);
    lines.push(k);
  }
  if (!header) throw new DataFileError(file, null, 'the file is empty, expected a header row and data rows');
  if (rows.length === 0) throw new DataFileError(file, 1, 'a header row but no data rows');
  return { file, header, rows, lines };
}

/** The largest CSV file read (1 GiB). Its lines are decoded one by one, never as one string. */
export const MAX_CSV_BYTES = 2 ** 30;

/**
 * The lines of a UTF-8 file, decoded one at a time: V8 strings stop near 512 MB, so a large
 * file is never made into one string.
 */
function* utf8Lines(bytes: Buffer): Generator<string> {
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // a byte-order mark
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    const stop = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
    yield bytes.toString('utf8', start, stop);
    start = end + 1;
  }
}

/** Reads and parses a UTF-8 CSV file (at most maxBytes, default 1 GiB) line by line; errors name the file and line. */
export function readCsvFile(path: string, maxBytes = MAX_CSV_BYTES): CsvTable {
  return parseCsvBytes(
    readBounded(path, maxBytes, 'CSV file', (problem) => new DataFileError(path, null, problem)),
    path,
  );
}

/**
 * A CSV file's bytes, which must be UTF-8, parsed line by line. Typed Uint8Array (a Buffer is
 * one) so that nabla's declarations need no Node typings; read through a Buffer view, no copy.
 */
export function parseCsvBytes(bytes: Uint8Array, file = '<csv>'): CsvTable {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkUtf8(buffer, file);
  return parseLines(utf8Lines(buffer), file);
}

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
}

/**
 * A CSV file read into tensors, with what is needed to read another file the same way (features, classes, standardizer), all plain JSON to save with a model.
 */
export interface CsvData {
  /** The features, [N, F] float32 (standardised when asked). */
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
}

// Numbers are decimal only: Number() would also read '0x10' as 16, '0b11' as 3 and '' as 0,
// quietly changing what a column means. Anything else is text (a class label) or an error.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function isNumber(s: string): boolean {
  return DECIMAL.test(s);
}

/**
 * A field's value as it will be stored (float32): NaN and infinities are refused (a model would
 * quietly learn or predict NaN), and so is a number that float32 cannot hold (1e39 → Infinity).
 */
function float32Value(v: string, file: string, line: number, where: string, expected: string): number {
  if (!isNumber(v)) {
    if (/^[+-]?(nan|inf|infinity)$/i.test(v))
      throw new DataFileError(
        file,
        line,
        `${where} has '${v}': not a finite number (NaN and infinities are not accepted)`,
      );
    throw new DataFileError(file, line, `${where} has '${v}', ${expected}`);
  }
  const n = Number(v);
  if (Math.abs(n) > FLOAT32_MAX)
    throw new DataFileError(file, line, `${where} has '${v}', which overflows float32 (largest ±3.4028235e38)`);
  return n;
}

function guessTask(values: string[]): Task {
  if (!values.every(isNumber)) return 'classification';
  const nums = values.map(Number);
  return nums.every(Number.isInteger) && new Set(nums).size <= 20 ? 'classification' : 'regression';
}

function sortedClasses(values: string[]): string[] {
  const unique = [...new Set(values)];
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

/** loadCsv for an already parsed table. */
export function csvFromTable(table: CsvTable, options: CsvOptions = {}): CsvData {
  const { file, header, rows, lines } = table;
  const column = (name: string, role: string): number => {
    const j = header.indexOf(name);
    if (j === -1)
      throw new DataFileError(file, 1, `no ${role} column '${name}' in the header (columns: ${header.join(', ')})`);
    return j;
  };
  const hasTarget = options.target !== undefined && (options.features === undefined || header.includes(options.target));
  const t = hasTarget ? column(options.target as string, 'target') : -1;
  const featureNames = options.features ?? header.filter((_, j) => j !== t);
  if (featureNames.length === 0) throw new DataFileError(file, 1, 'no feature columns besides the target');
  const cols = featureNames.map((name) => column(name, 'feature'));

  const n = rows.length;
  const f = cols.length;
  const x = new Float32Array(n * f);
  rows.forEach((row, i) => {
    cols.forEach((j, k) => {
      x[i * f + k] = float32Value(row[j], file, lines[i], `column '${header[j]}'`, 'expected a decimal number');
    });
  });
  let inputs = new Tensor(x, [n, f]);
  let standardizer: Standardizer | null = null;
  if (options.standardize === true) standardizer = fitStandardizer(inputs);
  else if (options.standardize) standardizer = options.standardize;
  if (standardizer) inputs = applyStandardizer(inputs, standardizer);

  const labels = t === -1 ? [] : rows.map((r) => r[t]);
  labels.forEach((v, i) => {
    if (v === '')
      throw new DataFileError(file, lines[i], `target column '${header[t]}' is empty: every row needs a target value`);
  });
  const task = options.task ?? (options.classes ? 'classification' : t === -1 ? 'regression' : guessTask(labels));
  let targets: Tensor | null = null;
  let classes: string[] | null = null;
  if (task === 'classification') {
    classes = options.classes ?? sortedClasses(labels);
    if (!options.classes && t !== -1 && classes.length < 2) {
      throw new DataFileError(
        file,
        null,
        `target column '${header[t]}' has a single class '${classes[0]}': a classifier needs at least two`,
      );
    }
    const index = new Map(classes.map((c, i) => [c, i]));
    if (t !== -1) {
      targets = new Tensor(
        Float32Array.from(labels, (v, i) => {
          const c = index.get(v);
          if (c === undefined) {
            throw new DataFileError(
              file,
              lines[i],
              `label '${v}' in column '${header[t]}' was not seen at training time (known: ${(classes as string[]).join(', ')})`,
            );
          }
          return c;
        }),
        [n],
      );
    }
  } else if (t !== -1) {
    targets = new Tensor(
      Float32Array.from(labels, (v, i) => {
        return float32Value(
          v,
          file,
          lines[i],
          `target column '${header[t]}'`,
          'expected a decimal number for regression',
        );
      }),
      [n, 1],
    );
  }
  return { inputs, targets, featureNames, target: t === -1 ? null : header[t], task, classes, standardizer };
}

/** A TensorDataset of a CSV that has targets. */
export function csvDataset(data: CsvData): TensorDataset {
  if (!data.targets) throw new Error('csvDataset: the CSV has no target column');
  return new TensorDataset(data.inputs, data.targets);
}
