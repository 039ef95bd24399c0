// `nabla export` predicts what `nabla predict` predicts, on raw input: the ONNX file, run by
// onnxruntime-node on the rows of the CSV as they are in the file (read here by csv-parse, empty
// cells as NaN and '', text as strings), gives the classes and probabilities (values) that
// predict prints, within 1e-5, for a table classifier (text, gaps, quoted newlines, ';'), a
// regressor (target standardised in training), the MNIST MLP and a CNN on a CSV of pixels.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { parse } from 'csv-parse/sync';
import { bundledMnist, bundledMnistSplit } from '../../src/data/mnist.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nabla-export-predict-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

function nabla(...args: string[]): string {
  const r = spawnSync(process.execPath, [main, ...args, ...(args[0] === 'train' ? ['--no-progress'] : [])], {
    encoding: 'utf8',
    cwd: tmp,
  });
  assert.equal(r.status, 0, `nabla ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

type Row = Record<string, string>;
const readRows = (file: string, delimiter = ','): Row[] =>
  parse(readFileSync(file), { delimiter, columns: true, trim: true }) as Row[];

/** The ONNX file's metadata_props, from `nabla inspect` (onnxruntime-node does not expose them). */
function onnxMetadata(file: string): Record<string, string> {
  const text = nabla('inspect', file);
  const block = text.slice(text.indexOf('metadata:\n') + 10, text.indexOf('\ninput:'));
  return Object.fromEntries(block.split('\n').map((l) => [l.slice(2, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
}

/** The exported model's outputs on raw CSV rows: numbers (NaN when empty) in "input", text in "text". */
async function runOnnx(file: string, rows: Row[]): Promise<Record<string, ort.Tensor>> {
  const meta = onnxMetadata(file);
  const numbers = JSON.parse(meta.input_columns) as string[];
  const texts = meta.text_columns ? (JSON.parse(meta.text_columns) as string[]) : [];
  const feeds: Record<string, ort.Tensor> = {
    input: new ort.Tensor(
      'float32',
      Float32Array.from(rows.flatMap((r) => numbers.map((c) => (r[c] === '' ? NaN : Number(r[c]))))),
      [rows.length, numbers.length],
    ),
  };
  if (texts.length)
    feeds.text = new ort.Tensor(
      'string',
      rows.flatMap((r) => texts.map((c) => r[c])),
      [rows.length, texts.length],
    );
  const session = await ort.InferenceSession.create(file);
  return session.run(feeds);
}

/** predict's classes and probabilities against the exported model's. */
function sameClassification(predicted: Row[], probabilities: ort.Tensor, classes: string[]): void {
  const p = probabilities.data as Float32Array;
  let worst = 0;
  predicted.forEach((row, i) => {
    const probs = classes.map((_, j) => p[i * classes.length + j]);
    assert.equal(row.prediction, classes[probs.indexOf(Math.max(...probs))], `row ${i + 1}`);
    // predict prints 6 decimals: its rounding is within 5e-7.
    classes.forEach((c, j) => (worst = Math.max(worst, Math.abs(Number(row[`p_${c}`]) - probs[j]))));
  });
  assert.ok(worst < 1e-5, `probabilities differ by up to ${worst}`);
}

// Text columns, empty cells (a number, a text), a quoted newline, ';' between fields; a city
// and a note never seen in training in the rows predicted.
const cities = ['lyon', 'paris', 'nice'];
const houses = Array.from({ length: 120 }, (_, i) => {
  const city = cities[(i * 7) % 3];
  const size = 20 + ((i * 37) % 100);
  const age = i % 11 === 0 ? '' : String(1 + ((i * 13) % 80));
  const note = i % 7 === 0 ? '"quiet\nstreet"' : i % 3 === 0 ? 'garden' : 'none';
  const price = size * (city === 'paris' ? 1.5 : 1) + (age === '' ? 0 : -0.2 * Number(age));
  return { size, city: i % 13 === 0 ? '' : city, age, note, price, band: price > 70 ? 'high' : 'low' };
});
const housesCsv = (target: 'band' | 'price', rows = houses) =>
  `size;city;age;note;${target}\n${rows.map((h) => [h.size, h.city, h.age, h.note, h[target]].join(';')).join('\n')}\n`;
const unseen = [
  { size: 55, city: 'rome', age: '', note: 'balcony', price: 0, band: 'low' },
  { size: 90, city: '', age: '3', note: '', price: 0, band: 'high' },
];

test('a table classifier (text, empty cells, quoted newlines, ;), trained with default flags: export = predict', async () => {
  const data = join(tmp, 'houses.csv');
  writeFileSync(data, housesCsv('band'));
  const fresh = join(tmp, 'fresh.csv');
  writeFileSync(fresh, housesCsv('band', [...houses.slice(0, 30), ...unseen]));
  const out = join(tmp, 'houses');
  assert.match(nabla('train', '--data', data, '--target', 'band', '--out', out), /Linear\(8→128\)/);
  nabla('predict', '--model', out, '--input', fresh, '--output', join(tmp, 'p.csv'));
  nabla('export', '--model', out);
  const meta = onnxMetadata(join(out, 'model.onnx'));
  assert.deepEqual(meta, {
    task: 'classification',
    classes: '["high","low"]',
    target: 'band',
    input_columns: '["size","age"]',
    text_columns: '["city","note"]',
  });
  const rows = readRows(fresh, ';');
  assert.equal(rows[0].note, 'quiet\nstreet');
  const r = await runOnnx(join(out, 'model.onnx'), rows);
  sameClassification(readRows(join(tmp, 'p.csv')), r.probabilities, ['high', 'low']);
});

test('a table regressor (target standardised in training): export = predict in the target units', async () => {
  const data = join(tmp, 'prices.csv');
  writeFileSync(data, housesCsv('price'));
  const fresh = join(tmp, 'fresh-prices.csv');
  writeFileSync(fresh, housesCsv('price', [...houses.slice(0, 30), ...unseen]));
  const out = join(tmp, 'prices');
  assert.match(
    nabla('train', '--data', data, '--target', 'price', '--epochs', '60', '--out', out),
    /target standardised/,
  );
  nabla('predict', '--model', out, '--input', fresh, '--output', join(tmp, 'v.csv'));
  nabla('export', '--model', out);
  const values = (await runOnnx(join(out, 'model.onnx'), readRows(fresh, ';'))).output.data as Float32Array;
  const predicted = readRows(join(tmp, 'v.csv')).map((r) => Number(r.prediction));
  assert.equal(values.length, predicted.length);
  // Prices are 20 to 180: float32 holds them to about 1e-5, so the bound is relative above 1.
  predicted.forEach((v, i) =>
    assert.ok(Math.abs(v - values[i]) <= 1e-5 * Math.max(1, Math.abs(v)), `row ${i + 1}: ${v} vs ${values[i]}`),
  );
  // Its own units, not the standardised target's (whose values are near 0).
  assert.ok(predicted.slice(0, 30).every((v) => v > 10));
});

test('the MNIST MLP: export = predict on the held-out digits', async () => {
  const out = join(tmp, 'mlp');
  nabla('train', '--data', 'mnist', '--layers', '16', '--epochs', '1', '--augment', '0', '--out', out);
  nabla('predict', '--model', out, '--input', 'mnist', '--output', join(tmp, 'digits.csv'));
  nabla('export', '--model', out);
  const { test: digits } = bundledMnistSplit();
  const [x] = digits.getBatch(Int32Array.from({ length: digits.length }, (_, i) => i));
  const session = await ort.InferenceSession.create(join(out, 'model.onnx'));
  const r = await session.run({ input: new ort.Tensor('float32', x.data as Float32Array, x.shape) });
  const classes = Array.from({ length: 10 }, (_, i) => String(i));
  sameClassification(readRows(join(tmp, 'digits.csv')), r.probabilities, classes);
});

test('a CNN on a CSV of raw pixels (0-255, scaled in training): export = predict', async () => {
  // 300 digits as byte pixels, 30 of each class.
  const all = bundledMnist();
  const per = Array.from({ length: 10 }, () => 0);
  const lines = [`${Array.from({ length: 784 }, (_, i) => `p${i}`).join(',')},label`];
  for (let i = 0; i < all.length && lines.length <= 300; i++) {
    const label = all.targets.data[i];
    if (per[label]++ >= 30) continue;
    lines.push(
      `${Array.from(all.inputs.data.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255)).join(',')},${label}`,
    );
  }
  const data = join(tmp, 'digits300.csv');
  writeFileSync(data, `${lines.join('\n')}\n`);
  const out = join(tmp, 'cnn');
  nabla(
    'train',
    ...['--data', data, '--target', 'label', '--model', 'cnn', '--image-shape', '1,28,28'],
    ...['--epochs', '1', '--early-stopping', '0', '--out', out],
  );
  nabla('predict', '--model', out, '--input', data, '--output', join(tmp, 'cnn.csv'));
  nabla('export', '--model', out);
  const r = await runOnnx(join(out, 'model.onnx'), readRows(data));
  const classes = Array.from({ length: 10 }, (_, i) => String(i));
  sameClassification(readRows(join(tmp, 'cnn.csv')), r.probabilities, classes);
});
