// NaN is never hidden: NaN, infinities and float32 overflow in input data are refused at load
// with the file and line, a model file with non-finite weights is refused, training on zero
// samples is an error (naming --val-split in the CLI), and every optimizer, scheduler and the
// gradient clipper refuse non-finite settings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fit, manualSeed, nn, optim, tensor, zeros, ModelFileError } from '../../src/index.js';
import { csvFromTable } from '../../src/data/csv.js';
import { parseCsv } from '../../src/data/csv-table.js';
import { parseIdx } from '../../src/data/idx.js';
import { decodeModel, decodeSafetensors, encodeModel, encodeSafetensors } from '../../src/io/index.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { mseLoss } from '../../src/nn/losses.js';
import { CosineAnnealingLR, ExponentialLR, OneCycleLR, ReduceLROnPlateau, StepLR } from '../../src/optim/schedulers.js';
import { clipGradNorm } from '../../src/optim/clip.js';

const load = (text: string, target = 'y') => csvFromTable(parseCsv(text, 'n.csv'), { target });

test('NaN, infinities and float32 overflow in a CSV are refused with the file and line', () => {
  for (const v of ['NaN', 'nan', 'Infinity', '-inf', '+INF']) {
    assert.throws(
      () => load(`x,y\n1,a\n${v},b\n`),
      new RegExp(
        `^DataFileError: n\\.csv:3: column 'x' has '${v.replace('+', '\\+')}': not a finite number \\(NaN and infinities are not accepted\\)$`,
      ),
      v,
    );
  }
  assert.throws(
    () => load('x,y\n1e39,a\n1,b\n'),
    /^DataFileError: n\.csv:2: column 'x' has '1e39', which overflows float32 \(largest ±3\.4028235e38\)$/,
  );
  assert.throws(
    () => load('x,y\n1,-4e38\n2,1.5\n3,2.5\n4,0.1\n'),
    /^DataFileError: n\.csv:2: target column 'y' has '-4e38', which overflows float32/,
  );
  assert.throws(
    () => csvFromTable(parseCsv('x,y\n1,NaN\n2,1.5\n', 'n.csv'), { target: 'y', task: 'regression' }),
    /^DataFileError: n\.csv:2: target column 'y' has 'NaN': not a finite number/,
  );
  assert.equal(load('x,y\n3.4e38,a\n1,b\n').inputs.data[0], Math.fround(3.4e38));
});

test('NaN or an infinity in an IDX float file is refused with its byte offset', () => {
  const bytes = Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 2, 0x3f, 0x80, 0, 0, 0x7f, 0xc0, 0, 0]);
  assert.throws(
    () => parseIdx(bytes, 'f.idx'),
    /^DataFileError: f\.idx: byte 12: value 1 is NaN, expected a finite number$/,
  );
});

test('a model file whose weights are not finite is refused, naming the tensor', () => {
  manualSeed(3);
  const model = new nn.Sequential(new nn.Linear(2, 2));
  const { tensors, metadata } = decodeSafetensors(encodeModel(model));
  tensors['0.bias'].data[1] = Infinity;
  assert.throws(
    () => decodeModel(encodeSafetensors(tensors, metadata), 'inf.safetensors'),
    (e) =>
      e instanceof ModelFileError &&
      e.message === 'inf.safetensors: element 1 is Infinity: the weights are not finite (at 0.bias)',
  );
});

test('training on zero samples is an error; in the CLI it names --val-split', async () => {
  const model = new nn.Sequential(new nn.Linear(2, 1));
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
  await assert.rejects(
    fit(model, { data: new TensorDataset(zeros([0, 2]), zeros([0, 1])), loss: mseLoss, optimizer, epochs: 1 }),
    /^Error: fit: the training data has no samples$/,
  );
  const dir = mkdtempSync(join(tmpdir(), 'nabla-nan-'));
  try {
    const csv = join(dir, 'small.csv');
    writeFileSync(csv, 'a,b,y\n1,2,x\n2,1,z\n3,3,x\n');
    const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
    const r = spawnSync(
      process.execPath,
      [main, 'train', '--data', csv, '--target', 'y', '--val-split', '0.99', '--out', join(dir, 'run')],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr.trim(),
      `nabla: --val-split 0.99: holds out 3 of the 3 rows of ${csv}, leaving none to train on`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a regression target near float32 max whose loss overflows ends the run with an error, not exit 0 with Infinity', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-nan-'));
  try {
    const csv = join(dir, 'huge.csv');
    const rows = Array.from({ length: 60 }, (_, i) => `${i % 10},${((i % 10) * 3.3e37).toExponential(6)}`);
    writeFileSync(csv, `x,y\n${rows.join('\n')}\n`);
    const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
    const r = spawnSync(
      process.execPath,
      [
        main,
        'train',
        '--data',
        csv,
        '--target',
        'y',
        '--task',
        'regression',
        '--epochs',
        '2',
        '--out',
        join(dir, 'run'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 1, r.stdout);
    assert.match(
      r.stderr,
      /nabla: the model's scores on 12 validation rows split off by --seed are not finite \(loss Infinity\): values this large overflow float32 arithmetic; scale the target \(or the features\) down\n$/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every optimizer, scheduler and the clipper refuse non-finite settings by name', () => {
  const w = () => [new nn.Parameter(tensor([1, 2]))];
  const sgd = () => new optim.SGD(w(), { lr: 0.1 });
  const cases: [() => unknown, string][] = [
    [() => new optim.SGD(w(), { lr: Infinity }), 'SGD: invalid learning rate Infinity (expected a finite number ≥ 0)'],
    [() => new optim.Adam(w(), { lr: NaN }), 'Adam: invalid learning rate NaN (expected a finite number ≥ 0)'],
    [() => new optim.SGD(w(), { lr: 0.1, momentum: NaN }), 'SGD: momentum must be a finite number ≥ 0, got NaN'],
    [() => new optim.SGD(w(), { lr: 0.1, dampening: 2 }), 'SGD: dampening must be a finite number in [0, 1], got 2'],
    [
      () => new optim.SGD(w(), { lr: 0.1, weightDecay: Infinity }),
      'SGD: weightDecay must be a finite number ≥ 0, got Infinity',
    ],
    [() => new optim.Adam(w(), { betas: [0.9, NaN] }), 'Adam: invalid beta NaN'],
    [() => new optim.Adam(w(), { eps: Infinity }), 'Adam: eps must be a finite number ≥ 0, got Infinity'],
    [
      () => new optim.AdamW(w(), { weightDecay: -Infinity }),
      'AdamW: weightDecay must be a finite number ≥ 0, got -Infinity',
    ],
    [() => new optim.RMSprop(w(), { alpha: NaN }), 'RMSprop: alpha must be a finite number in [0, 1], got NaN'],
    [
      () => new optim.RMSprop(w(), { momentum: Infinity }),
      'RMSprop: momentum must be a finite number ≥ 0, got Infinity',
    ],
    [
      () => new StepLR(sgd(), { stepSize: 1, gamma: Infinity }),
      'StepLR: gamma must be a finite number ≥ 0, got Infinity',
    ],
    [() => new ExponentialLR(sgd(), { gamma: NaN }), 'ExponentialLR: gamma must be a finite number ≥ 0, got NaN'],
    [
      () => new CosineAnnealingLR(sgd(), { tMax: Infinity }),
      'CosineAnnealingLR: tMax must be a finite number > 0, got Infinity',
    ],
    [
      () => new CosineAnnealingLR(sgd(), { tMax: 5, etaMin: NaN }),
      'CosineAnnealingLR: etaMin must be a finite number ≥ 0, got NaN',
    ],
    [
      () => new OneCycleLR(sgd(), { maxLr: Infinity, totalSteps: 10 }),
      'OneCycleLR: maxLr must be a finite number ≥ 0, got Infinity',
    ],
    [
      () => new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 10, divFactor: 0 }),
      'OneCycleLR: divFactor must be a finite number > 0, got 0',
    ],
    [() => new ReduceLROnPlateau(sgd(), { factor: NaN }), 'ReduceLROnPlateau: factor must be < 1, got NaN'],
    [
      () => new ReduceLROnPlateau(sgd(), { patience: Infinity }),
      'ReduceLROnPlateau: patience must be an integer ≥ 0, got Infinity',
    ],
    [
      () => new ReduceLROnPlateau(sgd(), { minLr: NaN }),
      'ReduceLROnPlateau: minLr must be a finite number ≥ 0, got NaN',
    ],
    [() => clipGradNorm(w(), Infinity), 'clipGradNorm: maxNorm must be a finite number ≥ 0, got Infinity'],
    [() => clipGradNorm(w(), 1, NaN), 'clipGradNorm: normType must be a positive number or Infinity, got NaN'],
  ];
  for (const [make, message] of cases) assert.throws(make, (e: Error) => e.message === message, message);
});
