// How a table's feature columns become a model's inputs, as scikit-learn users build it with a
// ColumnTransformer: number columns through SimpleImputer(mean or median) then StandardScaler,
// text columns through SimpleImputer(most_frequent) then OneHotEncoder(handle_unknown='ignore').
// The encoding is fitted on the training rows and is plain JSON, saved with the model, so eval,
// predict and the ONNX export read new rows the same way. The inputs are the number columns
// first, in the table's order, then each text column's one-hot block (categories sorted, as
// OneHotEncoder sorts them); a category not seen in training is all zeros.

import { DataFileError } from './errors.js';

/** What an empty cell becomes: the training rows' mean or median (text: the most frequent value), its row dropped from training, or an error. */
export const missingPolicies = ['mean', 'median', 'drop', 'error'] as const;
/** One of missingPolicies. */
export type MissingPolicy = (typeof missingPolicies)[number];

/** A number column's encoding. */
export interface NumberColumn {
  /** The column's name. */
  name: string;
  /** Numbers, standardised with the others. */
  kind: 'number';
  /** What an empty cell becomes (null: none, an error). */
  fill: number | null;
}

/** A text column's encoding: one input per category, 1 for the row's category. */
export interface CategoryColumn {
  /** The column's name. */
  name: string;
  /** Text, one-hot encoded. */
  kind: 'category';
  /** The categories seen in training, sorted: the one-hot positions. */
  categories: string[];
  /** The category an empty cell becomes (null: none, an error). */
  fill: string | null;
}

/** One feature column's encoding. */
export type ColumnEncoding = NumberColumn | CategoryColumn;

/** The encodings of a table's feature columns, in the table's column order. */
export interface TableEncoding {
  /** The --missing policy it was fitted with. */
  missing: MissingPolicy;
  /** Each feature column's encoding. */
  columns: ColumnEncoding[];
}

/** A table's feature columns as read, before encoding. */
export interface RawColumns {
  /** Column names. */
  names: string[];
  /** Each column's kind: numbers, or text read as categories. */
  kinds: ('number' | 'category')[];
  /** The number of rows. */
  rows: number;
  /** [rows × columns]: a number column's values, a text column's index into labels; NaN for an empty cell. */
  values: Float32Array;
  /** A text column's distinct values in the order first seen; null for a number column. */
  labels: (string[] | null)[];
}

/** The most distinct values a text column may have: more is an identifier or free text, not categories. */
export const MAX_CATEGORIES = 1000;

/** The number of model inputs an encoding gives: one per number column, one per category. */
export function encodedWidth(e: TableEncoding): number {
  return e.columns.reduce((n, c) => n + (c.kind === 'number' ? 1 : c.categories.length), 0);
}

/** The encoding of number columns read as they are (a model file written before encodings). */
export function numberColumns(names: string[]): TableEncoding {
  return { missing: 'error', columns: names.map((name) => ({ name, kind: 'number', fill: null })) };
}

/** The rows of `raw` with no empty cell (--missing drop). */
export function rowsWithoutMissing(raw: RawColumns): Int32Array {
  const f = raw.names.length;
  const kept: number[] = [];
  for (let i = 0; i < raw.rows; i++) {
    let complete = true;
    for (let j = 0; j < f && complete; j++) complete = !Number.isNaN(raw.values[i * f + j]);
    if (complete) kept.push(i);
  }
  return Int32Array.from(kept);
}

function median(sorted: Float64Array): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

/** The encoding of `raw` fitted on `rows` (the training rows): fill values and categories. */
export function fitEncoding(raw: RawColumns, rows: Int32Array, missing: MissingPolicy, file: string): TableEncoding {
  const f = raw.names.length;
  const imputes = missing === 'mean' || missing === 'median';
  const columns = raw.names.map((name, j): ColumnEncoding => {
    const labels = raw.labels[j];
    // Number columns: the sum and count of the present values (and the values, for a median);
    // text columns: each label's count.
    const counts = labels ? new Float64Array(labels.length) : null;
    const values: number[] = [];
    let sum = 0;
    let present = 0;
    for (const i of rows) {
      const v = raw.values[i * f + j];
      if (Number.isNaN(v)) continue;
      present++;
      if (counts) counts[v]++;
      else if (missing === 'median') values.push(v);
      else sum += v;
    }
    if (present === 0)
      throw new DataFileError(
        file,
        null,
        `column '${name}' is empty in every training row; leave it out with --drop ${name}`,
      );
    if (!labels || !counts) {
      if (!imputes) return { name, kind: 'number', fill: null };
      return {
        name,
        kind: 'number',
        fill: missing === 'mean' ? sum / present : median(Float64Array.from(values).sort()),
      };
    }
    const count = new Map<string, number>();
    labels.forEach((label, id) => counts[id] > 0 && count.set(label, counts[id]));
    const categories = [...count.keys()].sort();
    // The most frequent, the first in sorted order among ties (SimpleImputer's most_frequent).
    let fill = categories[0];
    for (const c of categories) if ((count.get(c) as number) > (count.get(fill) as number)) fill = c;
    return { name, kind: 'category', categories, fill: imputes ? fill : null };
  });
  return { missing, columns };
}

/**
 * The model inputs [rows × encodedWidth] of `raw` (read in the encoding's column order): number
 * columns first, then one-hot blocks. An empty cell without a fill value is an error naming its line.
 */
export function encodeColumns(raw: RawColumns, e: TableEncoding, file: string, lines: Int32Array): Float32Array {
  const f = raw.names.length;
  const width = encodedWidth(e);
  const out = new Float32Array(raw.rows * width);
  const empty = (i: number, name: string) =>
    new DataFileError(
      file,
      lines[i],
      e.missing === 'drop'
        ? `column '${name}' is empty: the model was trained with --missing drop, which keeps no value to fill in`
        : `column '${name}' is empty: missing values are refused (--missing error; train with --missing mean or median to impute them)`,
    );
  let at = 0;
  e.columns.forEach((c, j) => {
    if (c.kind !== 'number') return;
    for (let i = 0; i < raw.rows; i++) {
      const v = raw.values[i * f + j];
      if (!Number.isNaN(v)) out[i * width + at] = v;
      else if (c.fill !== null) out[i * width + at] = c.fill;
      else throw empty(i, c.name);
    }
    at++;
  });
  e.columns.forEach((c, j) => {
    if (c.kind !== 'category') return;
    const position = new Map(c.categories.map((name, k) => [name, k]));
    // Each label of the file at its category's position, -1 where training never saw it.
    const labels = raw.labels[j] as string[];
    const slot = Int32Array.from(labels, (label) => position.get(label) ?? -1);
    const fill = c.fill === null ? -1 : (position.get(c.fill) as number);
    for (let i = 0; i < raw.rows; i++) {
      const v = raw.values[i * f + j];
      if (Number.isNaN(v) && c.fill === null) throw empty(i, c.name);
      const k = Number.isNaN(v) ? fill : slot[v];
      if (k >= 0) out[i * width + at + k] = 1;
    }
    at += c.categories.length;
  });
  return out;
}

/** A standardiser of the encoded inputs that leaves the one-hot columns as they are (mean 0, std 1), as the pipeline scales numbers only. */
export function numbersOnly(s: { mean: number[]; std: number[] }, e: TableEncoding): { mean: number[]; std: number[] } {
  const numbers = e.columns.filter((c) => c.kind === 'number').length;
  return {
    mean: s.mean.map((m, k) => (k < numbers ? m : 0)),
    std: s.std.map((d, k) => (k < numbers ? d : 1)),
  };
}
