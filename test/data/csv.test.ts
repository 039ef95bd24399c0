import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvFromTable, fitStandardizer } from '../../src/data/csv.js';
import { numberColumns } from '../../src/data/table-encoding.js';
import { parseCsv } from '../../src/data/csv-table.js';
import { tensor } from '../../src/tensor.js';

const text = 'a,b,"kind, of",label\n1,2,3,cat\n4,5,6,dog\n\n7,8,"9",cat\n';

test('parses a header, quoted fields and blank lines; maps string labels to sorted classes', () => {
  const t = parseCsv(text, 'pets.csv');
  assert.deepEqual(t.header, ['a', 'b', 'kind, of', 'label']);
  assert.deepEqual(Array.from(t.lines), [2, 3, 5]);
  const d = csvFromTable(t, { target: 'label' });
  assert.equal(d.task, 'classification');
  assert.deepEqual(d.classes, ['cat', 'dog']);
  assert.deepEqual(d.featureNames, ['a', 'b', 'kind, of']);
  assert.deepEqual(d.targets!.toArray(), [0, 1, 0]);
  assert.deepEqual(d.inputs.toArray(), [
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
  ]);
});

test('regression targets, feature selection by name, and reading without a target', () => {
  const t = parseCsv('x,y,z\n1,0.5,2\n2,1.5,3\n3,2.25,4\n', 'r.csv');
  const d = csvFromTable(t, { target: 'y' });
  assert.equal(d.task, 'regression');
  assert.deepEqual(d.targets!.toArray(), [[0.5], [1.5], [2.25]]);
  const p = csvFromTable(t, { target: 'missing', features: ['z', 'x'], task: 'regression' });
  assert.equal(p.targets, null);
  assert.deepEqual(p.inputs.toArray(), [
    [2, 1],
    [3, 2],
    [4, 3],
  ]);
});

test('standardisation uses the training statistics, also on new data', () => {
  const t = parseCsv('x,y,c\n1,10,a\n2,10,b\n3,10,a\n', 's.csv');
  const d = csvFromTable(t, { target: 'c', standardize: true });
  const sd = Math.sqrt(2 / 3);
  assert.deepEqual(d.standardizer, { mean: [2, 10], std: [sd, 1] });
  const got = d.inputs.toArray() as number[][];
  [
    [-1 / sd, 0],
    [0, 0],
    [1 / sd, 0],
  ].forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(got[i][j] - v) < 1e-6)));
  const later = csvFromTable(parseCsv('x,y,c\n5,12,b\n', 'n.csv'), {
    target: 'c',
    classes: ['a', 'b'],
    standardize: d.standardizer!,
  });
  assert.ok(Math.abs((later.inputs.toArray() as number[][])[0][0] - 3 / sd) < 1e-5);
  assert.deepEqual(fitStandardizer(tensor([[0], [2]])), { mean: [1], std: [1] });
});

test('bad CSVs fail naming the file and line', () => {
  assert.throws(() => parseCsv('', 'e.csv'), /^DataFileError: e\.csv: the file is empty/);
  assert.throws(() => parseCsv('\n\n', 'e.csv'), /e\.csv: the file is empty/);
  assert.throws(() => parseCsv('a,b\n', 'h.csv'), /h\.csv:1: a header row but no data rows/);
  assert.throws(() => parseCsv('a,b\n1,2\n3\n', 'r.csv'), /r\.csv:3: 1 fields, expected 2/);
  // A model's number column with text in a new file (a text column of the training file is one-hot encoded).
  assert.throws(
    () =>
      csvFromTable(parseCsv('a,b\n1,x\n', 'n.csv'), {
        target: 'a',
        classes: ['1', '2'],
        encoding: numberColumns(['b']),
      }),
    /n\.csv:2: column 'b' has 'x', expected a decimal number/,
  );
  assert.throws(
    () => csvFromTable(parseCsv('a,b\n1,2\n', 't.csv'), { target: 'c' }),
    /t\.csv:1: no target column 'c' in the header \(columns: a, b\)/,
  );
  assert.throws(
    () => csvFromTable(parseCsv('a,label\n1,cat\n2,cow\n', 'u.csv'), { target: 'label', classes: ['cat', 'dog'] }),
    /u\.csv:3: label 'cow' in column 'label' was not seen at training time \(known: cat, dog\)/,
  );
  assert.throws(() => parseCsv('a,"b\n', 'q.csv'), /q\.csv:1: unterminated quoted field/);
});
