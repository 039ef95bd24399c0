// Tables at sizes that used to exhaust time or memory: a wide table's columns are found through a
// map (not header.indexOf per column), a CSV's rows are kept as byte ranges (not string arrays:
// a 100 MB file of short rows ran V8 out of heap), a table over the value bound is refused at the
// line that passes it, and many classes give a confusion matrix of nonzero cells only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { csvFromTable } from '../../src/data/csv.js';
import { csvLimits, parseCsv } from '../../src/data/csv-table.js';
import { confusionCells, classScoresFromCells, mostConfused, perClassScores } from '../../src/train/metrics.js';
import { confusionMatrix } from '../../src/train/metrics.js';
import { evaluate } from '../../src/train/evaluate.js';
import { Linear } from '../../src/nn/layers/index.js';
import { Sequential } from '../../src/nn/sequential.js';
import { crossEntropy } from '../../src/nn/losses.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { Tensor } from '../../src/tensor.js';

const tmp = mkdtempSync(join(tmpdir(), 'nabla-large-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('a table of 200,000 columns is read in well under a second per pass (columns by a map, not indexOf)', () => {
  const columns = 200_000;
  const header = Array.from({ length: columns }, (_, j) => `f${j}`);
  const row = (r: number) => Array.from({ length: columns }, (_, j) => ((j + r) % 10) / 10).join(',');
  const text = `${header.join(',')},y\n${row(0)},a\n${row(1)},b\n${row(2)},a\n`;
  const started = performance.now();
  const d = csvFromTable(parseCsv(text, 'wide.csv'), { target: 'y' });
  // As a model file would give them: every feature named, in order.
  const again = csvFromTable(parseCsv(text, 'wide.csv'), { target: 'y', features: d.featureNames });
  const seconds = (performance.now() - started) / 1000;
  assert.deepEqual(d.inputs.shape, [3, columns]);
  assert.equal(again.inputs.data[columns + 7], Math.fround(0.8));
  // header.indexOf per column took ~56 s here; the bound is loose so a slow machine passes.
  assert.ok(seconds < 10, `${seconds.toFixed(1)} s`);
  assert.throws(
    () => csvFromTable(parseCsv(text, 'wide.csv'), { target: 'nope' }),
    /wide\.csv:1: no target column 'nope' in the header \(columns: f0, f1, .*, f19, … 200001 in all\)$/,
  );
});

test('a table with more values than the bound is refused at the line that passes it, before its arrays', () => {
  const saved = csvLimits.values;
  csvLimits.values = 1000;
  try {
    const rows = Array.from({ length: 600 }, (_, i) => `${i % 7},${i % 2}`);
    // 2 columns: row 500 makes 1,000 values, row 501 passes the bound; it is line 502 with the header.
    assert.throws(
      () => parseCsv(`x,y\n${rows.join('\n')}\n`, 'long.csv'),
      /^DataFileError: long\.csv:502: more than 1000 values \(501 rows × 2 columns so far\), the most a table loads; use fewer rows or columns$/,
    );
    assert.equal(parseCsv(`x,y\n${rows.slice(0, 500).join('\n')}\n`, 'long.csv').length, 500);
  } finally {
    csvLimits.values = saved;
  }
});

test('a CSV of many short rows trains in a process whose heap holds far less than string arrays of them', () => {
  // 2.4 MB, 400,000 rows: read as a string array per row (the earlier reader) this ran out of a
  // 96 MB heap; kept as byte ranges it trains within 16 MB. The limit here is 32 MB.
  const file = join(tmp, 'short.csv');
  const lines = ['a,y'];
  for (let i = 0; i < 400_000; i++) lines.push(`${i % 10},${i % 3 === 0 ? 'p' : 'q'}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
  const r = spawnSync(
    process.execPath,
    [
      '--max-old-space-size=32',
      main,
      'train',
      ...['--data', file, '--target', 'y', '--epochs', '1', '--batch-size', '4096', '--layers', '4'],
      ...['--early-stopping', '0', '--no-progress', '--out', join(tmp, 'run')],
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr.slice(0, 2000));
  assert.match(r.stdout, /on short \(320000 samples/);
});

test('25,000 classes: the confusion matrix is its nonzero cells, at most one per sample', async () => {
  const classes = 25_000;
  const labels = Int32Array.from({ length: 2000 }, (_, i) => (i * 37) % classes);
  const predicted = labels.map((t, i) => (i % 4 === 0 ? (t + 1) % classes : t));
  const cells = confusionCells(predicted, labels, classes);
  assert.ok(cells.length <= 2000);
  assert.equal(
    cells.reduce((s, c) => s + c[2], 0),
    2000,
  );
  const names = Array.from({ length: classes }, (_, c) => `k${c}`);
  const scores = classScoresFromCells(cells, names);
  assert.equal(scores.length, classes);
  assert.match(mostConfused(cells, names, 3)[0], /^k\d+ → k\d+ ×1$/);
  // The same scores as the dense matrix gives, on a size it can hold.
  const small = [0, 1, 2, 2, 1, 0, 2];
  const smallPred = [0, 2, 2, 1, 1, 0, 0];
  assert.deepEqual(
    classScoresFromCells(confusionCells(smallPred, small, 3), ['a', 'b', 'c']),
    perClassScores(confusionMatrix(smallPred, small, 3), ['a', 'b', 'c']),
  );

  // evaluate gives cells, not a matrix, above DENSE_CONFUSION_CLASSES; none when told not to.
  const model = new Sequential(new Linear(2, 150));
  const data = new TensorDataset(
    new Tensor(
      Float32Array.from({ length: 40 }, (_, i) => i / 40),
      [20, 2],
    ),
    new Tensor(
      Float32Array.from({ length: 20 }, (_, i) => i * 7),
      [20],
    ),
  );
  const r = await evaluate(model, data, { loss: crossEntropy, metrics: ['accuracy'] });
  assert.equal(r.confusion, undefined);
  assert.ok(r.confusionCells!.length <= 20);
  const none = await evaluate(model, data, { loss: crossEntropy, metrics: ['accuracy'], confusion: false });
  assert.equal(none.confusionCells, undefined);
  assert.equal(none.confusion, undefined);
});

test('a target of more distinct labels than the class bound is refused unless numeric (regression)', () => {
  const saved = csvLimits.classes;
  csvLimits.classes = 30;
  try {
    const numeric = Array.from({ length: 50 }, (_, i) => `${i},${i * 1.5}`);
    assert.equal(csvFromTable(parseCsv(`x,y\n${numeric.join('\n')}\n`), { target: 'y' }).task, 'regression');
    const words = (n: number) => Array.from({ length: n }, (_, i) => `${i},w${i}`).join('\n');
    assert.throws(
      () => csvFromTable(parseCsv(`x,y\n${words(31)}\n`, 't.csv'), { target: 'y' }),
      /^DataFileError: t\.csv: target column 'y' has more than 30 distinct labels, too many to be classes$/,
    );
    // Within the bound, labels are classes as before.
    assert.equal(csvFromTable(parseCsv(`x,y\n${words(29)}\n`), { target: 'y' }).classes!.length, 29);
  } finally {
    csvLimits.classes = saved;
  }
});
