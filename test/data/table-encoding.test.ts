// Text columns one-hot encoded and empty cells imputed as scikit-learn's pipeline does it:
// ColumnTransformer([SimpleImputer(mean|median) → StandardScaler] on numbers,
// [SimpleImputer(most_frequent) → OneHotEncoder(handle_unknown='ignore')] on text). The expected
// rows are scikit-learn 1.2.1's output on the same table read by pandas 1.5.3
// (pd.read_csv(sep=';'), then ct.fit_transform on it and ct.transform on the new rows), rounded to 7 digits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvFromTable } from '../../src/data/csv.js';
import { parseCsv } from '../../src/data/csv-table.js';

const train =
  'size;city;age;note;y\n1.5;lyon;30;"a\nb";yes\n2;paris;;x;no\n;lyon;41;x;yes\n3.25;;52;y;no\n4;nice;19;x;yes\n';
const fresh = 'size;city;age;note\n;rome;20;x\n10;;;z\n';

const sklearn = {
  mean: {
    fit: [
      [-1.3408239, -0.5, 1, 0, 0, 1, 0, 0],
      [-0.7762665, 0, 0, 0, 1, 0, 1, 0],
      [0, 0.5, 1, 0, 0, 0, 1, 0],
      [0.6351271, 1.5, 1, 0, 0, 0, 0, 1],
      [1.4819633, -1.5, 0, 1, 0, 0, 1, 0],
    ],
    fresh: [
      [0, -1.4090909, 0, 0, 0, 0, 1, 0],
      [8.2566525, 0, 1, 0, 0, 0, 0, 0],
    ],
  },
  median: {
    fit: [
      [-1.3261817, -0.5, 1, 0, 0, 1, 0, 0],
      [-0.7618491, 0, 0, 0, 1, 0, 1, 0],
      [-0.0564333, 0.5, 1, 0, 0, 0, 1, 0],
      [0.6489825, 1.5, 1, 0, 0, 0, 0, 1],
      [1.4954815, -1.5, 0, 1, 0, 0, 1, 0],
    ],
    fresh: [
      [-0.0564333, -1.4090909, 0, 0, 0, 0, 1, 0],
      [8.2674733, 0, 1, 0, 0, 0, 0, 0],
    ],
  },
};

function close(got: number[][], want: number[][]): void {
  assert.equal(got.length, want.length);
  got.forEach((row, i) =>
    row.forEach((v, j) => assert.ok(Math.abs(v - want[i][j]) < 1e-5, `[${i}][${j}] ${v} vs ${want[i][j]}`)),
  );
}

for (const missing of ['mean', 'median'] as const) {
  test(`--missing ${missing}: numbers imputed and standardised, text one-hot, as scikit-learn's pipeline`, () => {
    const d = csvFromTable(parseCsv(train, 'h.csv'), { target: 'y', standardize: true, missing });
    assert.deepEqual(
      d.encoding.columns.map((c) => (c.kind === 'category' ? c.categories : c.kind)),
      ['number', ['lyon', 'nice', 'paris'], 'number', ['a\nb', 'x', 'y']],
    );
    close(d.inputs.toArray() as number[][], sklearn[missing].fit);
    // New rows: an unseen category ('rome', 'z') is all zeros, an empty one the most frequent.
    const later = csvFromTable(parseCsv(fresh, 'n.csv'), { encoding: d.encoding, standardize: d.standardizer! });
    close(later.inputs.toArray() as number[][], sklearn[missing].fresh);
  });
}

test('--missing error and drop: an empty cell is refused naming its line; --drop and --features choose columns', () => {
  assert.throws(
    () => csvFromTable(parseCsv(train, 'h.csv'), { target: 'y', missing: 'error' }),
    /^DataFileError: h\.csv:5: column 'size' is empty: missing values are refused \(--missing error; train with --missing mean or median to impute them\)$/,
  );
  const d = csvFromTable(parseCsv(train, 'h.csv'), { target: 'y', drop: ['size', 'age', 'city'] });
  assert.deepEqual(d.featureNames, ['note']);
  assert.deepEqual(csvFromTable(parseCsv(train, 'h.csv'), { target: 'y', features: ['age', 'note'] }).featureNames, [
    'age',
    'note',
  ]);
  assert.throws(
    () => csvFromTable(parseCsv(train, 'h.csv'), { target: 'y', drop: ['weight'] }),
    /^DataFileError: h\.csv:1: no dropped column 'weight' in the header/,
  );
});

test('a column of numbers with one text value among many numbers is refused at its line, not made categories', () => {
  const rows = Array.from({ length: 40 }, (_, i) => `${(i * 0.37).toFixed(2)},${i % 2}`);
  rows[17] = '3.1O,1';
  assert.throws(
    () => csvFromTable(parseCsv(`x,y\n${rows.join('\n')}\n`, 'm.csv'), { target: 'y' }),
    /^DataFileError: m\.csv:19: column 'x' has '3\.1O' among numbers: fix the value, leave the cell empty for a missing value, or leave the column out with --drop x$/,
  );
});
