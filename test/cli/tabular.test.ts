// `nabla train` on tables: the defaults it prints, --cv K (stratified folds, each printed, mean ±
// std, the folds' rows in metrics.json), regression's R², RMSE and MAE with the target
// standardised in training and predictions in its own units, per-class scores, and report.html.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nabla-tabular-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));
const nabla = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: tmp });

/** Three classes by the sign pattern of two features, unbalanced (60/30/15 rows). */
const classes = join(tmp, 'three.csv');
writeFileSync(
  classes,
  `u,v,kind\n${Array.from({ length: 105 }, (_, i) => {
    const k = i < 60 ? 0 : i < 90 ? 1 : 2;
    const u = (k === 1 ? 1 : -1) + ((i * 37) % 19) / 40;
    const v = (k === 2 ? 1 : -1) + ((i * 53) % 23) / 50;
    return `${u},${v},${['red', 'green', 'blue'][k]}`;
  }).join('\n')}\n`,
);

test('--cv 5 prints each fold and the mean ± std; the folds are stratified and cover every row once', () => {
  const out = join(tmp, 'cv');
  const r = nabla('train', '--data', classes, '--target', 'kind', '--cv', '5', '--epochs', '30', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^5-fold cross-validation \(stratified\) on three \(105 rows\)/m);
  assert.match(r.stdout, /plateau, 30 epochs, batch 8, early stopping after 10 epochs/);
  for (let f = 1; f <= 5; f++)
    assert.match(
      r.stdout,
      new RegExp(
        `^fold ${f}/5: 67 rows to train \\(17 for early stopping\\), \\d+ epochs.*; 21 test rows: loss [\\d.]+, accuracy`,
        'm',
      ),
    );
  const m = /^mean ± std over 5 folds: accuracy ([\d.]+)% ± [\d.]+, loss/m.exec(r.stdout);
  assert.ok(m && Number(m[1]) >= 95, r.stdout);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  const tested = metrics.folds.flatMap((f: { test: number[] }) => f.test).sort((a: number, b: number) => a - b);
  assert.deepEqual(
    tested,
    Array.from({ length: 105 }, (_, i) => i),
  );
  for (const f of metrics.folds) {
    const counts = [0, 60, 90].map((lo, k) => f.test.filter((i: number) => i >= lo && i < [60, 90, 105][k]).length);
    assert.deepEqual(counts, [12, 6, 3], 'each fold holds the classes in proportion');
  }
  const mean = metrics.folds.reduce((a: number, f: { scores: { accuracy: number } }) => a + f.scores.accuracy, 0) / 5;
  assert.ok(Math.abs(metrics.mean.accuracy - mean) < 1e-12);
  assert.equal(
    nabla('train', '--data', 'mnist', '--cv', '3').stderr.trim(),
    'nabla: --cv 3 splits the rows of a CSV file; --data mnist comes with its own test set (train without --cv)',
  );
  assert.match(
    nabla('train', '--data', classes, '--target', 'kind', '--cv', '3', '--resume').stderr,
    /^nabla: --resume continues one interrupted run; it does not apply to --cv/,
  );
  // A fold that fails (the loss overflows) leaves no directory behind.
  const failed = join(tmp, 'cv-failed');
  const bad = nabla(
    'train',
    '--data',
    classes,
    '--target',
    'kind',
    '--cv',
    '3',
    '--lr',
    '1e30',
    '--schedule',
    'none',
    '--out',
    failed,
  );
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^nabla: training stopped: /);
  assert.ok(!existsSync(failed), 'the run directory was removed');
});

test('a classifier prints and saves per-class precision, recall and F1, and writes report.html', () => {
  const out = join(tmp, 'cls');
  const r = nabla('train', '--data', classes, '--target', 'kind', '--epochs', '40', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^class +precision +recall +f1 +support$/m);
  assert.match(r.stdout, /^red +[\d.]+ +[\d.]+ +[\d.]+ +\d+$/m);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  assert.deepEqual(
    metrics.final.perClass.map((c: { label: string }) => c.label),
    ['blue', 'green', 'red'],
  );
  const support = metrics.final.perClass.reduce((a: number, c: { support: number }) => a + c.support, 0);
  assert.equal(support, metrics.final.samples);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  for (const id of ['scores', 'curves', 'confusion', 'per-class', 'model', 'settings'])
    assert.match(html, new RegExp(`id="${id}"`), id);
  assert.match(html, /Linear\(2→128\)/);
});

test('a regressor on a target far from 0 and 1 learns it standardised and predicts in its units (R², RMSE, MAE)', () => {
  const file = join(tmp, 'price.csv');
  const rows = Array.from({ length: 200 }, (_, i) => {
    const a = ((i * 37) % 101) / 50 - 1;
    const b = ((i * 53) % 97) / 48 - 1;
    return `${a},${b},${(5000 + 800 * a - 300 * b * b).toFixed(3)}`;
  });
  writeFileSync(file, `a,b,price\n${rows.join('\n')}\n`);
  const out = join(tmp, 'reg');
  const r = nabla('train', '--data', file, '--target', 'price', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /target standardised \(mean 4\d{3}(\.\d+)?, std \d+(\.\d+)?\), predictions in its own units/);
  assert.match(
    r.stdout,
    /^40 validation rows split off by --seed: mse [\d.e+]+, r2 0\.9\d+, rmse [\d.]+, mae [\d.]+ \(40 rows\)$/m,
  );
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  assert.ok(metrics.final.r2 > 0.98, `R² ${metrics.final.r2}`);
  assert.ok(metrics.final.mae < 40, `MAE ${metrics.final.mae} on prices around 5000`);
  const p = nabla('predict', '--model', out, '--input', file);
  assert.equal(p.status, 0, p.stderr);
  const [pred, target] = p.stdout.split('\n')[1].split(',').map(Number);
  assert.ok(Math.abs(pred - target) < 100, `prediction ${pred} for ${target}: in the target's units`);
  const ev = nabla('eval', '--model', out, '--data', file);
  assert.match(ev.stdout, /r2 0\.9\d+, rmse [\d.]+, mae [\d.]+ \(200 rows\)/);
  assert.ok(existsSync(join(out, 'report.html')));

  const raw = join(tmp, 'reg-raw');
  const plain = nabla(
    'train',
    '--data',
    file,
    '--target',
    'price',
    '--no-standardize-target',
    '--epochs',
    '5',
    '--out',
    raw,
  );
  assert.equal(plain.status, 0, plain.stderr);
  assert.doesNotMatch(plain.stdout, /target standardised/);
  const spec = JSON.parse(readFileSync(join(raw, 'metrics.json'), 'utf8')).run;
  assert.equal(spec.standardizeTarget, false);
});

test('--missing drop, --drop and --features: recorded in the model and applied by predict', () => {
  const file = join(tmp, 'gaps.csv');
  const rows = Array.from({ length: 60 }, (_, i) => {
    const u = ((i * 37) % 19) / 10 - 1;
    return `${i},${i % 9 === 0 ? '' : u},${['x', 'y', 'z'][i % 3]},${u > 0 ? 'up' : 'down'}`;
  });
  writeFileSync(file, `id,u,tag,dir\n${rows.join('\n')}\n`);
  const out = join(tmp, 'gaps');
  const r = nabla(
    'train',
    ...['--data', file, '--target', 'dir', '--drop', 'id', '--missing', 'drop', '--epochs', '5', '--out', out],
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /--missing drop: 7 of 60 rows have an empty cell and are left out/);
  assert.match(r.stdout, /text columns one-hot \(tag: 3 categories\), empty cells: their rows left out/);
  // Rows without a gap are predicted; a gap has no value to be filled with under --missing drop.
  writeFileSync(join(tmp, 'full.csv'), `u,tag\n0.5,x\n-0.5,w\n`);
  assert.equal(nabla('predict', '--model', out, '--input', join(tmp, 'full.csv')).status, 0);
  writeFileSync(join(tmp, 'gap.csv'), `u,tag\n0.5,x\n,y\n`);
  assert.match(
    nabla('predict', '--model', out, '--input', join(tmp, 'gap.csv')).stderr,
    /gap\.csv:3: column 'u' is empty: the model was trained with --missing drop, which keeps no value to fill in/,
  );
  const only = nabla(
    'train',
    '--data',
    file,
    '--target',
    'dir',
    '--features',
    'tag',
    '--epochs',
    '2',
    '--out',
    join(tmp, 'tag'),
  );
  assert.match(only.stdout, /Linear\(3→128\)/);
  assert.match(
    nabla('train', '--data', file, '--target', 'dir', '--missing', 'error', '--out', join(tmp, 'err')).stderr,
    /gaps\.csv:2: column 'u' is empty: missing values are refused/,
  );
});
