// readInputSpec: the `input` metadata of a model directory's model file (how to read data for
// it: classes, feature names, standardiser, image shape), validated like the rest of the file
// before eval, predict, explain or export use it. A field of the wrong type, length or value is
// a ModelFileError naming the field, never a crash or a silent misreading later.

import { ModelFileError } from '../io/index.js';
import { showValue } from '../show.js';
import type { InputSpec } from './data.js';
import { encodedWidth, missingPolicies, type MissingPolicy, type TableEncoding } from '../data/table-encoding.js';

/** The most inputs a model directory's metadata may declare (the dry run allocates one row of them). */
export const MAX_INPUTS = 2 ** 24;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSize = (v: unknown, max: number): v is number =>
  Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= max;
const isStrings = (v: unknown, n: number): v is string[] =>
  Array.isArray(v) && v.length === n && v.every((s) => typeof s === 'string');
const isNumbers = (v: unknown, n: number, ok: (x: number) => boolean) =>
  Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && ok(x));

/**
 * A CSV model's column encoding: each column a number (fill: a finite number or null) or a
 * category (distinct names; fill: one of them or null), the one-hot width adding up to `inputs`.
 */
function readEncoding(
  value: unknown,
  inputs: number,
  bad: (field: string, expected: string) => ModelFileError,
): TableEncoding {
  const expected = `null or { missing, columns } whose number columns and categories add up to the ${inputs} inputs`;
  if (!isObject(value) || !missingPolicies.includes(value.missing as MissingPolicy) || !Array.isArray(value.columns))
    throw bad('encoding', expected);
  const ok = (c: unknown): boolean => {
    if (!isObject(c) || typeof c.name !== 'string') return false;
    if (c.kind === 'number') return c.fill === null || (typeof c.fill === 'number' && Number.isFinite(c.fill));
    return (
      c.kind === 'category' &&
      Array.isArray(c.categories) &&
      isStrings(c.categories, c.categories.length) &&
      new Set(c.categories).size === c.categories.length &&
      (c.fill === null || c.categories.includes(c.fill as string))
    );
  };
  const e = value as unknown as TableEncoding;
  if (!e.columns.every(ok) || encodedWidth(e) !== inputs) throw bad('encoding', expected);
  return e;
}

export function readInputSpec(value: unknown, file: string): InputSpec {
  const fail = (field: string, problem: string) => new ModelFileError(file, problem, `nabla.metadata.input${field}`);
  if (!isObject(value))
    throw new ModelFileError(file, 'has no input description in its metadata: not written by nabla train');
  const s = value;
  const bad = (field: string, expected: string) =>
    fail(`.${field}`, `input.${field} is ${showValue(s[field], 60)}, expected ${expected}`);
  if (s.kind !== 'mnist' && s.kind !== 'idx' && s.kind !== 'images' && s.kind !== 'csv')
    throw bad('kind', "'mnist', 'idx', 'images' or 'csv'");
  if (s.task !== 'classification' && s.task !== 'regression') throw bad('task', "'classification' or 'regression'");
  if (!isSize(s.inputs, MAX_INPUTS)) throw bad('inputs', `an integer in 1..${MAX_INPUTS}`);
  const inputs = s.inputs;
  if (s.task === 'regression' ? s.outputs !== 1 : !isSize(s.outputs, 2 ** 24))
    throw bad('outputs', s.task === 'regression' ? '1 for regression' : 'the number of classes');
  const outputs = s.outputs as number;
  if (
    s.task === 'classification'
      ? !isStrings(s.classes, outputs) || new Set(s.classes).size !== outputs
      : s.classes !== null
  ) {
    throw bad('classes', s.task === 'classification' ? `${outputs} distinct class names` : 'null for regression');
  }
  const encoding = s.encoding === undefined || s.encoding === null ? null : readEncoding(s.encoding, inputs, bad);
  if (encoding && s.kind !== 'csv') throw bad('encoding', 'null for images');
  // null for images; for a CSV, null reads every column but the target. With an encoding, its columns.
  const columns = encoding ? encoding.columns.length : inputs;
  if (s.featureNames !== null && (s.kind !== 'csv' || !isStrings(s.featureNames, columns))) {
    throw bad('featureNames', s.kind === 'csv' ? `null or ${columns} column names` : 'null for images');
  }
  if (encoding && encoding.columns.some((c, j) => c.name !== (s.featureNames as string[] | null)?.[j]))
    throw bad('featureNames', "the names of input.encoding's columns, in order");
  if (s.target !== null && typeof s.target !== 'string') throw bad('target', 'a column name or null');
  const st = s.standardizer;
  if (
    st !== null &&
    !(
      isObject(st) &&
      isNumbers(st.mean, inputs, Number.isFinite) &&
      isNumbers(st.std, inputs, (x) => Number.isFinite(x) && x > 0)
    )
  ) {
    throw bad('standardizer', `null or { mean, std }: ${inputs} finite means and ${inputs} finite positive deviations`);
  }
  const ts = s.targetScale;
  if (
    ts !== undefined &&
    ts !== null &&
    !(
      s.task === 'regression' &&
      isObject(ts) &&
      isNumbers(ts.mean, outputs, Number.isFinite) &&
      isNumbers(ts.std, outputs, (x) => Number.isFinite(x) && x > 0)
    )
  ) {
    throw bad(
      'targetScale',
      `absent, null, or for regression { mean, std }: ${outputs} finite mean and ${outputs} finite positive deviation`,
    );
  }
  const shape = s.imageShape;
  if (shape !== null) {
    const dims =
      Array.isArray(shape) && (shape.length === 2 || shape.length === 3) && shape.every((d) => isSize(d, MAX_INPUTS));
    if (!dims || (shape as number[]).reduce((a, b) => a * b, 1) !== inputs)
      throw bad('imageShape', `null or [C, H, W] (or [H, W]) whose product is the ${inputs} inputs`);
  }
  if (s.kind === 'images' && !(Array.isArray(shape) && shape.length === 3 && (shape[0] === 1 || shape[0] === 3)))
    throw bad('imageShape', '[C, H, W] with C 1 or 3 for an image folder');
  return s as unknown as InputSpec;
}
