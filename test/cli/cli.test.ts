// The `nabla` command, spawned with node on the built dist/ files: help, a CSV run end to end,
// predict/eval agreement, bad inputs (each refused in one line, exit 1, nothing left behind),
// and resume after a hard kill between epochs and after Ctrl-C (SIGINT).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '../../src/io/index.js';
import { someDigits, writeDigitsIdx } from '../helpers/digits.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nabla-cli-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

function nabla(...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: tmp });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Rows of a known rule: class 'hi' when a + b > 0.3, 'lo' otherwise, and a noise column. */
function ruleCsv(name: string, rows: number): string {
  const lines = ['a,b,noise,kind'];
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  for (let i = 0; i < rows; i++) {
    const [a, b, n] = [rnd(), rnd(), rnd()];
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${n.toFixed(4)},${a + b > 0.3 ? 'hi' : 'lo'}`);
  }
  const path = join(tmp, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const small = ruleCsv('rule.csv', 300);

test('every subcommand has --help', () => {
  for (const cmd of ['train', 'eval', 'predict', 'explain', 'export', 'inspect']) {
    const r = nabla(cmd, '--help');
    assert.equal(r.status, 0, cmd);
    assert.match(r.stdout, new RegExp(`^Usage: nabla ${cmd}`), cmd);
  }
});

test('train on a CSV writes model, metrics, plots; eval and predict agree; explain, export, inspect work', () => {
  const out = join(tmp, 'run');
  const r = nabla('train', '--data', small, '--target', 'kind', '--epochs', '30', '--layers', '16', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^epoch 30\/30 .*val_acc/m);
  assert.doesNotMatch(r.stdout, /[█░]/, 'no progress bar when stdout is not a terminal');
  for (const f of ['model.safetensors', 'checkpoint.ckpt', 'metrics.json', 'curves.svg', 'confusion.svg'])
    assert.ok(existsSync(join(out, f)), f);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  assert.ok(metrics.final.accuracy >= 0.9, `validation accuracy ${metrics.final.accuracy}`);
  assert.deepEqual(metrics.final.classes, ['hi', 'lo']);
  assert.equal(metrics.history.length, 30);

  const ev = nabla('eval', '--model', out, '--data', small);
  assert.equal(ev.status, 0, ev.stderr);
  const evalAcc = ev.stdout.match(/accuracy ([\d.]+)%/)![1];
  const pr = nabla('predict', '--model', out, '--input', small, '--output', join(tmp, 'pred.csv'));
  assert.equal(pr.status, 0, pr.stderr);
  assert.equal(pr.stdout.match(/accuracy ([\d.]+)%/)![1], evalAcc);
  const pred = readFileSync(join(tmp, 'pred.csv'), 'utf8').trim().split('\n');
  assert.equal(pred[0], 'prediction,p_hi,p_lo,label');
  assert.equal(pred.length, 301);
  const [, pHi, pLo] = pred[1].split(',').map(Number);
  assert.ok(Math.abs(pHi + pLo - 1) < 1e-5);

  // Predicting on rows without the target column works too, with features found by name.
  writeFileSync(join(tmp, 'nolabel.csv'), 'noise,b,a\n0.1,0.9,0.9\n0,-0.9,-0.9\n');
  const nl = nabla('predict', '--model', out, '--input', join(tmp, 'nolabel.csv'));
  assert.equal(nl.status, 0, nl.stderr);
  assert.deepEqual(
    nl.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[0]),
    ['hi', 'lo'],
  );

  const ex = nabla('explain', '--model', out, '--batch-size', '8');
  assert.match(ex.stdout, /dL\/dW = xᵀ · dL\/dy +: \[3×8\]·\[8×16\] → \[3×16\]/);
  assert.match(ex.stdout, /parameters: 98\b/);
  assert.match(nabla('explain', '--layers', '784,128,10').stdout, /\[784×64\]·\[64×128\] → \[784×128\]/);
  assert.equal(nabla('export', '--model', out, '--format', 'onnx', '--out', join(tmp, 'm.onnx')).status, 0);
  const onnx = nabla('inspect', join(tmp, 'm.onnx'));
  assert.equal(onnx.status, 0);
  assert.match(onnx.stdout, /input: +input +FLOAT +\[batch,3\]/);
  assert.match(onnx.stdout, /output: +output +FLOAT +\[batch,2\]/);
  assert.match(nabla('export', '--model', out, '--format', 'tflite').stderr, /'tflite' is invalid/);
  assert.equal(nabla('inspect', out).status, 0);
});

test('a numeric target with many values trains a regressor (MSE, MAE)', () => {
  const lines = ['a,b,y'];
  for (let i = 0; i < 200; i++) {
    const a = ((i * 37) % 101) / 50 - 1;
    const b = ((i * 53) % 97) / 48 - 1;
    lines.push(`${a},${b},${(2 * a - b + 0.5).toFixed(5)}`);
  }
  writeFileSync(join(tmp, 'linear.csv'), `${lines.join('\n')}\n`);
  const out = join(tmp, 'reg');
  const r = nabla(
    'train',
    '--data',
    join(tmp, 'linear.csv'),
    '--target',
    'y',
    '--epochs',
    '60',
    '--layers',
    '16',
    '--out',
    out,
  );
  assert.equal(r.status, 0, r.stderr);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  assert.equal(metrics.task, 'regression');
  // Predicting the mean would give an MAE near 1.09 on these targets.
  assert.ok(metrics.final.mae < 0.2, `validation MAE ${metrics.final.mae}`);
  assert.ok(!existsSync(join(out, 'confusion.svg')));
  const ev = nabla('eval', '--model', out, '--data', join(tmp, 'linear.csv'));
  assert.match(ev.stdout, /mse [\d.e-]+, r2 0\.9\d+, rmse [\d.e-]+, mae [\d.e-]+ \(200 rows\)/);
});

/**
 * Runs a failing command and checks how bad input is refused: exit 1, one line naming the problem,
 * no stack trace, no model, checkpoint or temp file left in `out`.
 */
function fails(args: string[], message: RegExp, out?: string): void {
  const r = nabla(...args);
  assert.equal(r.status, 1, `${args.join(' ')}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  if (out) {
    const left = existsSync(out) ? readdirSync(out) : [];
    assert.deepEqual(
      left.filter((f) => /model|checkpoint|\.tmp/.test(f)),
      [],
      `left behind in ${out}: ${left}`,
    );
  }
}

test('bad CSV input: empty, ragged, non-numeric, missing target, unseen label', () => {
  const write = (name: string, text: string) => (writeFileSync(join(tmp, name), text), join(tmp, name));
  const out = join(tmp, 'bad-run');
  const t = (file: string) => ['train', '--data', file, '--target', 'kind', '--out', out];
  fails(t(write('empty.csv', '')), /^nabla: .*empty\.csv: the file is empty/, out);
  fails(t(write('ragged.csv', 'a,b,kind\n1,2,x\n3,4\n')), /ragged\.csv:3: 2 fields, expected 3/, out);
  // A text column is one-hot encoded; one word among many numbers is a typo, refused at its line.
  const numbers = Array.from({ length: 30 }, (_, i) => `${i},${i * 1.5},${'xy'[i % 2]}`);
  numbers[5] = '5,four,y';
  fails(
    t(write('text.csv', `a,b,kind\n${numbers.join('\n')}\n`)),
    /text\.csv:7: column 'b' has 'four' among numbers: fix the value, leave the cell empty for a missing value, or leave the column out with --drop b/,
    out,
  );
  fails(
    ['train', '--data', small, '--target', 'species', '--out', out],
    /rule\.csv:1: no target column 'species'/,
    out,
  );
  const model = join(tmp, 'run-unseen');
  assert.equal(nabla('train', '--data', small, '--target', 'kind', '--epochs', '1', '--out', model).status, 0);
  fails(
    ['predict', '--model', model, '--input', write('unseen.csv', 'a,b,noise,kind\n0.1,0.2,0.3,hi\n0.1,0.2,0.3,mid\n')],
    /unseen\.csv:3: label 'mid' in column 'kind' was not seen at training time \(known: hi, lo\)/,
  );
});

test('a failed write of metrics or predictions leaves no temp file behind', () => {
  // The target path is a directory, so the final rename fails after the temp file is written.
  const out = join(tmp, 'run-blocked');
  mkdirSync(join(out, 'metrics.json'), { recursive: true });
  const r = nabla('train', '--data', small, '--target', 'kind', '--epochs', '1', '--out', out);
  assert.notEqual(r.status, 0);
  assert.deepEqual(
    readdirSync(out).filter((f) => f.endsWith('.tmp')),
    [],
  );
  rmSync(join(out, 'metrics.json'), { recursive: true });
  // The failed run wrote its model and checkpoint: --force replaces them.
  const again = nabla('train', '--data', small, '--target', 'kind', '--epochs', '1', '--out', out, '--force');
  assert.equal(again.status, 0, again.stderr);
  const dir = join(tmp, 'pred-blocked');
  mkdirSync(join(dir, 'pred.csv'), { recursive: true });
  const p = nabla('predict', '--model', out, '--input', small, '--output', join(dir, 'pred.csv'));
  assert.notEqual(p.status, 0);
  assert.deepEqual(readdirSync(dir), ['pred.csv']);
});

test('bad IDX files: wrong magic number, size not matching the header', () => {
  const dir = join(tmp, 'idx');
  mkdirSync(dir, { recursive: true });
  const out = join(tmp, 'idx-run');
  const header = (type: number, dims: number[]) => [
    0,
    0,
    type,
    dims.length,
    ...dims.flatMap((d) => [0, 0, d >> 8, d & 255]),
  ];
  writeFileSync(
    join(dir, 'train-images-idx3-ubyte'),
    Uint8Array.from([...header(8, [2, 2, 2]), ...new Array(8).fill(9)]),
  );
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), Uint8Array.from([...header(8, [2]), 1, 2]));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), Uint8Array.from([...header(8, [1, 2, 2]), 1, 2, 3])); // one byte short
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), Uint8Array.from([...header(8, [1]), 1]));
  fails(
    ['train', '--data', dir, '--out', out],
    /t10k-images-idx3-ubyte: the header says 1×2×2 values .* but the file has 19 bytes/,
    out,
  );
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), Uint8Array.from([0x1f, 0x00, 8, 3, 1, 2]));
  fails(['train', '--data', dir, '--out', out], /train-images-idx3-ubyte: byte 0: wrong magic number 0x1f000803/, out);
  // Repaired, the same directory trains.
  writeFileSync(
    join(dir, 'train-images-idx3-ubyte'),
    Uint8Array.from([...header(8, [2, 2, 2]), ...new Array(8).fill(9)]),
  );
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), Uint8Array.from([...header(8, [1, 2, 2]), 1, 2, 3, 4]));
  const ok = nabla('train', '--data', dir, '--epochs', '1', '--layers', '3', '--out', out);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /the t10k test set: loss [\d.]+, accuracy/);
});

test('bad model directories, flags and values', () => {
  fails(['eval', '--model', join(tmp, 'nowhere'), '--data', small], /--model .*nowhere: no such directory/);
  mkdirSync(join(tmp, 'emptydir'), { recursive: true });
  fails(['eval', '--model', join(tmp, 'emptydir'), '--data', small], /emptydir\/model\.safetensors: not found/);
  fails(['train', '--data', small, '--target', 'kind', '--frobnicate'], /^error: unknown option '--frobnicate'/);
  fails(
    ['train', '--data', small, '--target', 'kind', '--lr', 'fast'],
    /^error: option '--lr <number>' argument 'fast' is invalid\. expected a number/,
  );
  fails(['train', '--data', small, '--target', 'kind', '--epochs', '2.5'], /--epochs <n>' argument '2\.5' is invalid/);
  // A checkpoint written by another model: refused, and left as it was.
  const out = join(tmp, 'other');
  assert.equal(
    nabla('train', '--data', small, '--target', 'kind', '--epochs', '1', '--layers', '4', '--out', out).status,
    0,
  );
  const before = readFileSync(join(out, 'checkpoint.ckpt'));
  fails(
    ['train', '--data', small, '--target', 'kind', '--epochs', '1', '--layers', '8', '--out', out, '--resume'],
    /other\/checkpoint\.ckpt: /,
  );
  assert.deepEqual(readFileSync(join(out, 'checkpoint.ckpt')), before);
  fails(['eval', '--model', out, '--data', 'mnist'], /trained on CSV columns/);
  // --verbose adds the stack.
  const v = nabla('eval', '--model', join(tmp, 'nowhere'), '--data', small, '--verbose');
  assert.equal(v.status, 1);
  assert.match(v.stderr, /\n\s+at /);
});

const big = ruleCsv('big.csv', 3000);
const resumeArgs = (out: string) => [
  'train',
  '--data',
  big,
  '--target',
  'kind',
  '--epochs',
  '12',
  '--layers',
  '32,32',
  '--dropout',
  '0.1',
  '--batch-size',
  '16',
  '--out',
  out,
];

function weights(out: string): number[][] {
  return load(join(out, 'model.safetensors'))
    .model.parameters()
    .map((p) => Array.from(p.data));
}

/** Starts a run and sends `signal` when a line matching `when` appears; resolves with the exit. */
function interrupt(
  out: string,
  when: RegExp,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, ...resumeArgs(out)], { cwd: tmp });
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!sent && when.test(stdout)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

test('a run killed between epochs and resumed ends with exactly the weights of an unbroken run', async () => {
  const straight = join(tmp, 'straight');
  assert.equal(nabla(...resumeArgs(straight)).status, 0);
  const out = join(tmp, 'killed');
  const killed = await interrupt(out, /^epoch 2\/12/m, 'SIGKILL');
  assert.equal(killed.code, null);
  assert.ok(!existsSync(join(out, 'model.safetensors')), 'the run was stopped before it finished');
  assert.ok(existsSync(join(out, 'checkpoint.ckpt')));
  const resumed = nabla(...resumeArgs(out), '--resume');
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.deepEqual(weights(out), weights(straight));

  // Ctrl-C: the current step finishes, the checkpoint is written, a message says how to go on.
  const out2 = join(tmp, 'sigint');
  const stopped = await interrupt(out2, /^epoch 1\/12/m, 'SIGINT');
  assert.equal(stopped.code, 130);
  assert.match(
    stopped.stdout,
    /checkpoint written to .*checkpoint\.ckpt\. Continue with the same command and --resume/,
  );
  assert.ok(!existsSync(join(out2, 'model.safetensors')));
  assert.equal(nabla(...resumeArgs(out2), '--resume').status, 0);
  assert.deepEqual(weights(out2), weights(straight));
});

test('on the bundled digits, predict and eval reproduce the test accuracy train reported', () => {
  const out = join(tmp, 'digits');
  // A deliberately small and short run: this checks agreement, not quality (npm start does that).
  const r = nabla('train', '--data', 'mnist', '--layers', '16', '--epochs', '1', '--augment', '0', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const reported = r.stdout.match(/held-out test digits: loss [\d.]+, accuracy ([\d.]+)% \((\d+)\/2000\)/)!;
  assert.ok(reported, r.stdout);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  assert.equal(Math.round(metrics.final.accuracy * 2000), Number(reported[2]));
  const pr = nabla('predict', '--model', out, '--input', 'mnist', '--output', join(tmp, 'digits.csv'));
  assert.equal(pr.status, 0, pr.stderr);
  assert.match(pr.stdout, new RegExp(`accuracy ${reported[1]}% \\(${reported[2]}/2000\\)`));
  const ev = nabla('eval', '--model', out, '--data', 'mnist');
  assert.match(ev.stdout, new RegExp(`accuracy ${reported[1]}% \\(${reported[2]}/2000\\)`));
  assert.match(ev.stdout, /^true\\pred/m);
});

/** An MNIST IDX directory of a few hundred bundled digits under tmp. */
function digitsIdxDir(name: string, trainN: number, testN: number): string {
  const dir = join(tmp, name);
  writeDigitsIdx(dir, trainN, testN);
  return dir;
}

/** The accuracy line a command printed: [percent, correct]. */
function accuracyOf(text: string, total: number): [string, string] {
  const m = new RegExp(`accuracy ([\\d.]+)% \\((\\d+)/${total}\\)`).exec(text);
  assert.ok(m, text);
  return [m[1], m[2]];
}

test('--model cnn on an IDX directory: train, eval and predict report the same accuracy; explain shows the convolutions; export', () => {
  const dir = digitsIdxDir('digits-idx', 320, 120);
  const out = join(tmp, 'cnn-idx');
  // Tiny and short: this checks the path and the agreement, not quality (see README for the full run).
  const r = nabla('train', '--data', dir, '--model', 'cnn', '--layers', '16', '--epochs', '1', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /^training Unflatten\(1, \[1, 28, 28\]\) → Conv2d\(1→16, 3×3\) → BatchNorm2d\(16\) → ReLU → Conv2d\(16→16, 3×3\) → BatchNorm2d\(16\) → ReLU → MaxPool2d\(2×2\) → Conv2d\(16→32, 3×3\)/m,
  );
  assert.match(r.stdout, /random shifts ±2 px/);
  const reported = accuracyOf(r.stdout.split('t10k test set: loss')[1], 120);
  const ev = nabla('eval', '--model', out, '--data', dir);
  assert.equal(ev.status, 0, ev.stderr);
  assert.deepEqual(accuracyOf(ev.stdout, 120), reported);
  const pr = nabla('predict', '--model', out, '--input', dir, '--output', join(tmp, 'cnn-idx.csv'));
  assert.equal(pr.status, 0, pr.stderr);
  assert.deepEqual(accuracyOf(pr.stdout, 120), reported);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  assert.equal(String(Math.round(metrics.final.accuracy * 120)), reported[1]);
  assert.equal(metrics.run.model, 'cnn');

  const ex = nabla('explain', '--model', out, '--batch-size', '8');
  assert.equal(ex.status, 0, ex.stderr);
  assert.match(ex.stdout, /reshape {3}\[8×784\] → \[8×1×28×28\]/);
  assert.match(ex.stdout, /patches {3}X = im2col\(x\) +: \[8×32×14×14\] → \[8·14·14 × 32·3·3\] = \[1568×288\]/);
  assert.match(ex.stdout, /dL\/dx = col2im\(dL\/dy·W\) +: \[1568×32\]·\[32×288\] → \[1568×288\] → \[8×32×14×14\]/);
  const flags = nabla('explain', '--cnn', '--batch-size', '8');
  assert.equal(flags.status, 0, flags.stderr);
  assert.match(flags.stdout, /layer 17: Linear\(1568→128\) {3}200,832 parameters/);
  const exp = nabla('export', '--model', out);
  assert.equal(exp.status, 0, exp.stderr);
  assert.ok(existsSync(join(out, 'model.onnx')));
});

test('an image CSV with --image-shape trains the CNN; eval and predict read it the same way', () => {
  const { pixels, labels } = someDigits(300, 7);
  // Bytes 0..255 as in Kaggle's MNIST CSVs: the pixels are scaled by the training rows' maximum.
  const lines = [[...Array.from({ length: 784 }, (_, j) => `p${j}`), 'label'].join(',')];
  for (let i = 0; i < 300; i++)
    lines.push(
      [...Array.from(pixels.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255)), labels[i]].join(','),
    );
  const csv = join(tmp, 'pixels.csv');
  writeFileSync(csv, `${lines.join('\n')}\n`);
  const out = join(tmp, 'cnn-csv');
  const r = nabla(
    'train',
    '--data',
    csv,
    '--target',
    'label',
    '--image-shape',
    '1,28,28',
    '--model',
    'cnn',
    '--layers',
    '16',
    '--epochs',
    '1',
    '--out',
    out,
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /random shifts ±2 px/);
  accuracyOf(r.stdout, 60); // train reports on the 60 rows --val-split held out
  const model = load(join(out, 'model.safetensors'));
  const input = (model.metadata as { input: { imageShape: number[]; standardizer: { std: number[] } } }).input;
  assert.deepEqual(input.imageShape, [1, 28, 28]);
  assert.equal(input.standardizer.std[0], 255);
  // eval and predict read the whole file (300 rows): they agree with each other.
  const ev = nabla('eval', '--model', out, '--data', csv);
  assert.equal(ev.status, 0, ev.stderr);
  const pr = nabla('predict', '--model', out, '--input', csv, '--output', join(tmp, 'cnn-csv-pred.csv'));
  assert.equal(pr.status, 0, pr.stderr);
  assert.deepEqual(accuracyOf(pr.stdout, 300), accuracyOf(ev.stdout, 300));
});

test('bad image flags: a shape that does not fit the columns, a malformed shape, a CNN without images', () => {
  const out = join(tmp, 'bad-cnn');
  fails(
    ['train', '--data', small, '--target', 'kind', '--image-shape', '1,2,2', '--out', out],
    /--image-shape 1,2,2: 1×2×2 = 4 pixels, but .*rule\.csv has 3 feature columns/,
    out,
  );
  fails(
    ['train', '--data', small, '--target', 'kind', '--image-shape', '1,28', '--out', out],
    /option '--image-shape <C,H,W>' argument '1,28' is invalid\. expected C,H,W/,
    out,
  );
  fails(
    ['train', '--data', small, '--target', 'kind', '--model', 'cnn', '--out', out],
    /--model cnn needs images/,
    out,
  );
  fails(
    ['train', '--data', 'mnist', '--image-shape', '3,28,28', '--out', out],
    /--image-shape 3,28,28: the images of mnist are 1,28,28/,
    out,
  );
  fails(
    ['train', '--data', small, '--target', 'kind', '--model', 'resnet', '--out', out],
    /argument 'resnet' is invalid\. Allowed choices are mlp, cnn/,
    out,
  );
});
