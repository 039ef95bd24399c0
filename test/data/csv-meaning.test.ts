// CSV meaning is never changed silently: an empty target, a target of one class, text that is
// not UTF-8 and numbers that are not decimal are errors naming the file and line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvFromTable } from '../../src/data/csv.js';
import { numberColumns } from '../../src/data/table-encoding.js';
import { parseCsv, readCsvFile } from '../../src/data/csv-table.js';

const dir = mkdtempSync(join(tmpdir(), 'nabla-csv-meaning-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const load = (text: string, options = { target: 'y' }) => csvFromTable(parseCsv(text, 'm.csv'), options);

test('an empty target value is an error naming its line', () => {
  assert.throws(
    () => load('x,y\n1,a\n2,\n3,b\n'),
    /^DataFileError: m\.csv:3: target column 'y' is empty: every row needs a target value$/,
  );
  assert.throws(() => load('x,y\n1,0.5\n2,""\n'), /^DataFileError: m\.csv:3: target column 'y' is empty/);
});

test('one typo in a numeric target is refused at its line, not made into a classifier of every distinct value', () => {
  const rows = Array.from({ length: 200 }, (_, i) => `${i % 7},${(i * 0.37).toFixed(2)}`);
  rows[41] = '3,12.3O';
  assert.throws(
    () => load(`x,y\n${rows.join('\n')}\n`),
    /^DataFileError: m\.csv:43: target column 'y' has '12\.3O' among numbers that make it a regression target \(more than 20 distinct values\): fix the value, or give --task classification to read every value as a label$/,
  );
  assert.equal(
    csvFromTable(parseCsv(`x,y\n${rows.join('\n')}\n`, 'm.csv'), { target: 'y', task: 'classification' }).task,
    'classification',
  );
  assert.throws(
    () => csvFromTable(parseCsv(`x,y\n${rows.join('\n')}\n`, 'm.csv'), { target: 'y', task: 'regression' }),
    /^DataFileError: m\.csv:43: target column 'y' has '12\.3O', expected a decimal number for regression$/,
  );
  // Few integers with text among them stay classes (labels 1, 2, 3 and 'none').
  assert.deepEqual(load('x,y\n1,1\n2,2\n3,none\n4,3\n').classes, ['1', '2', '3', 'none']);
});

test("labels '1', '1.0' and '01' are one number written two ways: refused, not made three classes", () => {
  assert.throws(
    () => load('x,y\n1,1\n2,2\n3,1.0\n4,01\n'),
    /^DataFileError: m\.csv:4: target column 'y' has '1\.0' and '1', one number written two ways: as labels they would be two classes; write them alike \(or --task regression\)$/,
  );
  assert.deepEqual(load('x,y\n1,1\n2,2\n3,1\n').classes, ['1', '2']);
  // Text labels are text: 'a' and 'A' stay two classes.
  assert.deepEqual(load('x,y\n1,a\n2,A\n').classes, ['A', 'a']);
});

test('3.4028235e38, the float32 maximum as printed, is a value; a larger one overflows', () => {
  assert.equal(load('x,y\n3.4028235e38,a\n-3.4028235e38,b\n').inputs.data[0], 3.4028234663852886e38);
  assert.throws(
    () => load('x,y\n3.4028236e38,a\n1,b\n'),
    /^DataFileError: m\.csv:2: column 'x' has '3\.4028236e38', which overflows float32 \(largest ±3\.4028235e38\)$/,
  );
});

test('a target with a single class is an error when training, not when reading with known classes', () => {
  assert.throws(
    () => load('x,y\n1,a\n2,a\n'),
    /^DataFileError: m\.csv: target column 'y' has a single class 'a': a classifier needs at least two$/,
  );
  assert.deepEqual(
    csvFromTable(parseCsv('x,y\n1,a\n', 'm.csv'), { target: 'y', classes: ['a', 'b'] }).targets!.toArray(),
    [0],
  );
});

test('hexadecimal, binary and octal numbers are not numbers: a feature is text (a category) or an error, a label is text', () => {
  const hex = load('x,y\n0x10,a\n2,b\n');
  assert.deepEqual(hex.encoding.columns[0], { name: 'x', kind: 'category', categories: ['0x10', '2'], fill: '0x10' });
  assert.throws(
    () => csvFromTable(parseCsv('x,y\n0b11,a\n2,b\n', 'm.csv'), { target: 'y', encoding: numberColumns(['x']) }),
    /column 'x' has '0b11', expected a decimal number/,
  );
  const d = load('x,y\n1,0x10\n2,16\n');
  assert.equal(d.task, 'classification');
  assert.deepEqual(d.classes, ['0x10', '16']); // two labels, not one class 16
  assert.throws(
    () => load('x,y\n1,0x10\n2,3.5\n', { target: 'y', task: 'regression' } as never),
    /^DataFileError: m\.csv:2: target column 'y' has '0x10', expected a decimal number for regression$/,
  );
  for (const ok of ['1', '-2.5', '+.5', '5.', '1e3', '-1E-3'])
    assert.equal(load(`x,y\n${ok},a\n1,b\n`).inputs.data[0], Math.fround(Number(ok)), ok);
});

test('a file that is not valid UTF-8 is refused naming the first bad line', () => {
  const file = join(dir, 'latin1.csv');
  writeFileSync(file, Buffer.concat([Buffer.from('x,y\n1,caf'), Buffer.from([0xe9]), Buffer.from('\n2,cafe\n')]));
  assert.throws(
    () => readCsvFile(file),
    (e: Error) => e.message === `${file}:2: not valid UTF-8 text (save the file as UTF-8)`,
  );
});
