// `nabla export` gives a graph that predicts what `nabla predict` predicts, from what the data
// files hold: onnxruntime-node on raw CSV rows (the standardisation happens inside the graph) and
// on an IDX directory's pixels scaled to [0, 1], against predict's CSV output. Classes must
// agree and probabilities (or regression values) match within 1e-5; the ONNX file's
// metadata_props name the classes, the features and the task.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { writeDigitsIdx } from '../helpers/digits.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nabla-export-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

function nabla(...args: string[]): string {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: tmp });
  assert.equal(r.status, 0, `nabla ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

let seed = 99;
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;

/** Trains a model directory, exports it, and returns predict's rows (header first) and the ONNX session. */
async function trainExportPredict(name: string, data: string, trainFlags: string[], input: string) {
  const out = join(tmp, name);
  nabla('train', '--data', data, '--out', out, ...trainFlags);
  nabla('export', '--model', out);
  nabla('predict', '--model', out, '--input', input, '--output', join(tmp, `${name}.csv`));
  const rows = readFileSync(join(tmp, `${name}.csv`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  const session = await ort.InferenceSession.create(join(out, 'model.onnx'));
  return { rows, session };
}

async function run(session: ort.InferenceSession, x: Float32Array, features: number): Promise<Float32Array> {
  const { output } = await session.run({ input: new ort.Tensor('float32', x, [x.length / features, features]) });
  return output.data as Float32Array;
}

/** The rows' softmax. */
function softmax(logits: Float32Array, classes: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < logits.length; i += classes) {
    const row = Array.from(logits.subarray(i, i + classes));
    const top = Math.max(...row);
    const e = row.map((v) => Math.exp(v - top));
    const sum = e.reduce((a, b) => a + b, 0);
    out.push(e.map((v) => v / sum));
  }
  return out;
}

/** predict's classes and probabilities against the graph's, row by row. */
function assertClassesAgree(rows: string[][], probs: number[][], classes: string[], what: string): void {
  const header = rows[0];
  assert.deepEqual(
    header.slice(1, 1 + classes.length),
    classes.map((c) => `p_${c}`),
    what,
  );
  probs.forEach((p, i) => {
    const row = rows[i + 1];
    const best = p.indexOf(Math.max(...p));
    assert.equal(row[0], classes[best], `${what}: row ${i}'s class`);
    p.forEach((v, j) =>
      assert.ok(Math.abs(v - Number(row[1 + j])) <= 1e-5, `${what}: row ${i} p_${classes[j]}: ${v} vs ${row[1 + j]}`),
    );
  });
}

test('an exported CSV classifier and regressor predict from raw rows what nabla predict does', async () => {
  // Features of very different scales and offsets (the standardiser matters), in a column order
  // that puts the target between them.
  const header = 'size,kind,age,rooms';
  const lines = [header];
  const raw: number[][] = [];
  for (let i = 0; i < 240; i++) {
    const [size, age, rooms] = [1500 + 900 * rnd(), 40 + 35 * rnd(), 4 + 2 * rnd()];
    const kind = size / 1000 + rooms / 3 - age / 50 > 2.6 ? 'villa' : size > 1600 ? 'house' : 'flat';
    raw.push([size, age, rooms]);
    lines.push(`${size.toFixed(1)},${kind},${age.toFixed(2)},${rooms.toFixed(3)}`);
  }
  const file = join(tmp, 'houses.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const x = Float32Array.from(
    lines.slice(1).flatMap((l) =>
      l
        .split(',')
        .filter((_, j) => j !== 1)
        .map(Number),
    ),
  );

  const cls = await trainExportPredict('houses', file, ['--target', 'kind', '--epochs', '30'], file);
  const classes = cls.rows[0].slice(1, -1).map((h) => h.slice(2));
  assert.deepEqual([...classes].sort(), ['flat', 'house', 'villa']);
  assertClassesAgree(cls.rows, softmax(await run(cls.session, x, 3), classes.length), classes, 'classifier');
  // metadata_props: key and value strings in the file (onnxruntime-node does not read them back).
  const onnx = readFileSync(join(tmp, 'houses', 'model.onnx'));
  for (const text of ['nabla.classes', JSON.stringify(classes), 'nabla.features', '["size","age","rooms"]'])
    assert.ok(onnx.includes(text), `the ONNX file's metadata has ${text}`);

  // The same table with a numeric target: the target's standardisation is folded into the head.
  const regLines = lines.map((l, i) => {
    const c = l.split(',');
    return [
      c[0],
      i === 0 ? 'price' : String(200 * Number(c[0]) + 5000 * Number(c[3]) - 300 * Number(c[2])),
      c[2],
      c[3],
    ].join(',');
  });
  const regFile = join(tmp, 'prices.csv');
  writeFileSync(regFile, `${regLines.join('\n')}\n`);
  const reg = await trainExportPredict('prices', regFile, ['--target', 'price', '--epochs', '30'], regFile);
  const values = await run(reg.session, x, 3);
  assert.equal(reg.rows[0][0], 'prediction');
  values.forEach((v, i) => {
    const want = Number(reg.rows[i + 1][0]);
    assert.ok(Math.abs(v - want) <= 1e-5 * Math.max(1, Math.abs(want)), `regressor row ${i}: ${v} vs ${want}`);
  });
  // The targets are in the hundreds of thousands: a graph without the folded scale would be far off.
  assert.ok(Math.abs(values[0]) > 1000, `a prediction in the target's units, got ${values[0]}`);
});

test('an exported digits MLP and CNN predict from pixels in [0, 1] what nabla predict does', async () => {
  const dir = join(tmp, 'digits');
  const testPixels = writeDigitsIdx(dir, 300, 100);
  const classes = Array.from({ length: 10 }, (_, i) => String(i));
  for (const [name, flags] of [
    ['mlp', ['--epochs', '1']],
    ['cnn', ['--model', 'cnn', '--layers', '8', '--epochs', '1']],
  ] as const) {
    const { rows, session } = await trainExportPredict(`digits-${name}`, dir, [...flags], dir);
    assertClassesAgree(rows, softmax(await run(session, testPixels, 784), 10), classes, name);
  }
});
