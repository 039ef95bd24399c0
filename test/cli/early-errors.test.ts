// Errors name their place, early: unbounded flag values are refused by the flag before any
// work, shapes are checked by the call that takes them, validation data of another shape fails
// before the first epoch, a closed pipe ends output quietly, and a failed run leaves no --out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eye, fit, nn, optim, tensor, zeros, ones, arange } from '../../src/index.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { mseLoss } from '../../src/nn/losses.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nabla-early-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));
const nabla = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: tmp });

const csv = join(tmp, 'd.csv');
writeFileSync(
  csv,
  `a,b,y\n${Array.from({ length: 40 }, (_, i) => `${i % 5},${(i * 7) % 3},${i % 2 ? 'x' : 'z'}`).join('\n')}\n`,
);

test('flags that would allocate or run without bound are refused by name before any work', () => {
  const cases: [string[], string][] = [
    [
      ['--epochs', '1e300'],
      "error: option '--epochs <n>' argument '1e300' is invalid. expected an integer in 1..1000000",
    ],
    [
      ['--batch-size', '1e9'],
      "error: option '--batch-size <n>' argument '1e9' is invalid. expected an integer in 1..1048576",
    ],
    [
      ['--layers', '2000000'],
      "error: option '--layers <sizes>' argument '2000000' is invalid. expected comma-separated integers in 1..1048576, '2000000' is not one",
    ],
    [
      ['--image-shape', '1,70000,1'],
      "error: option '--image-shape <C,H,W>' argument '1,70000,1' is invalid. expected C,H,W: three integers in 1..65536, e.g. 1,28,28",
    ],
    [
      ['--image-shape', '64,4096,4096'],
      "error: option '--image-shape <C,H,W>' argument '64,4096,4096' is invalid. expected at most 16777216 values per image, got 64×4096×4096",
    ],
    [
      ['--layers', Array(1001).fill('2').join(',')],
      "error: option '--layers <sizes>' argument '" +
        Array(1001).fill('2').join(',') +
        "' is invalid. expected at most 1000 sizes, got 1001",
    ],
    [
      ['--early-stopping', '-1'],
      "error: option '--early-stopping <patience>' argument '-1' is invalid. expected an integer in 0..1000000",
    ],
    [['--cv', '1'], "error: option '--cv <k>' argument '1' is invalid. expected an integer in 2..1000"],
    [
      ['--layers', '100000,100000'],
      'nabla: --layers 100000,100000: an MLP of 2→100000→100000→2 has 10000600002 parameters, more than the cap of 268435456',
    ],
  ];
  for (const [flags, message] of cases) {
    const out = join(tmp, 'never');
    const r = nabla('train', '--data', csv, '--target', 'y', '--out', out, ...flags);
    assert.equal(r.status, 1, flags.join(' '));
    assert.equal(r.stderr.trim(), message);
    assert.ok(!existsSync(out), 'no output directory');
  }
});

test('zeros, eye, tensor and layer constructors reject impossible shapes with their own name', () => {
  assert.throws(() => zeros([2, -1]), /^Error: zeros: shape \[2,-1\]: sizes must be non-negative integers$/);
  assert.throws(() => ones([2.5]), /^Error: ones: shape \[2\.5\]: sizes must be non-negative integers$/);
  assert.throws(
    () => zeros([1e6, 1e6]),
    /^Error: zeros: shape \[1000000,1000000\] has 1000000000000 elements, more than the limit of 2\^32$/,
  );
  assert.throws(() => zeros(3 as unknown as number[]), /^Error: zeros: the shape must be a list of sizes, got number$/);
  assert.throws(() => eye(2.5), /^Error: eye: n must be a non-negative integer, got 2\.5$/);
  assert.throws(() => arange(0, Infinity), /^Error: arange: shape \[Infinity\]: sizes must be non-negative integers$/);
  assert.throws(
    () => tensor([1, 2], { shape: [-2, -1] }),
    /^Error: tensor: shape \[-2,-1\]: sizes must be non-negative integers$/,
  );
  assert.throws(
    () => new nn.Linear(1e6, 1e6),
    /^Error: Linear\(1000000→1000000\): 1000001000000 parameters, more than the cap of 268435456$/,
  );
  assert.throws(
    () => new nn.Conv2d(20_000, 20_000, 3),
    /^Error: Conv2d\(20000→20000\): 3600020000 parameters, more than the cap of 268435456$/,
  );
  assert.throws(
    () => new nn.BatchNorm1d(2 ** 28),
    /^Error: BatchNorm1d\(268435456\): 536870912 parameters, more than the cap of 268435456$/,
  );
});

test('validation data of another shape fails before the first epoch', async () => {
  const model = new nn.Sequential(new nn.Linear(3, 1));
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
  const data = new TensorDataset(zeros([4, 3]), zeros([4, 1]));
  const cases: [TensorDataset, RegExp][] = [
    [
      new TensorDataset(zeros([2, 2]), zeros([2, 1])),
      /^Error: fit: validation inputs have shape \[2\] per sample, the training inputs \[3\]$/,
    ],
    [
      new TensorDataset(zeros([2, 3]), zeros([2, 2])),
      /^Error: fit: validation targets have shape \[2\] per sample, the training targets \[1\]$/,
    ],
    [new TensorDataset(zeros([0, 3]), zeros([0, 1])), /^Error: fit: the validation data has no samples$/],
  ];
  for (const [validation, message] of cases) {
    await assert.rejects(fit(model, { data, validation, loss: mseLoss, optimizer, epochs: 1 }), message);
    assert.deepEqual(optimizer.steps, [0, 0], 'no training step was taken');
  }
});

test(
  'a closed pipe on stdout ends the output quietly; the run finishes and writes its files',
  { timeout: 60_000 },
  async () => {
    const out = join(tmp, 'piped');
    const child = spawn(
      process.execPath,
      [main, 'train', '--data', csv, '--target', 'y', '--epochs', '30', '--out', out, '--no-progress'],
      { cwd: tmp },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy()); // like `| head -1`
    const status = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(status, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|Error/);
    assert.ok(existsSync(join(out, 'model.safetensors')));
  },
);

test('an --out directory created by a run that fails is removed; one that existed is kept', () => {
  const out = join(tmp, 'failed', 'deeper');
  // A learning rate of 1e30 makes the weights overflow: the run fails with a non-finite loss.
  const r = nabla('train', '--data', csv, '--target', 'y', '--lr', '1e30', '--schedule', 'none', '--out', out);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^nabla: training stopped: /);
  assert.ok(!existsSync(join(tmp, 'failed')), 'the directories the run made are gone');
  const existing = join(tmp, 'existing');
  mkdirSync(existing);
  assert.equal(
    nabla('train', '--data', csv, '--target', 'y', '--lr', '1e30', '--schedule', 'none', '--out', existing).status,
    1,
  );
  assert.ok(existsSync(existing));
});

test('an empty IDX set, a symbolic link loop and an export over the model are refused by name', () => {
  const idx = join(tmp, 'idx-empty');
  mkdirSync(idx);
  const file = (name: string, dims: number[], data = 0) =>
    writeFileSync(
      join(idx, name),
      Uint8Array.from([0, 0, 8, dims.length, ...dims.flatMap((d) => [0, 0, 0, d]), ...new Array<number>(data).fill(1)]),
    );
  file('train-images-idx3-ubyte', [0, 2, 2]);
  file('train-labels-idx1-ubyte', [0]);
  file('t10k-images-idx3-ubyte', [1, 2, 2], 4);
  file('t10k-labels-idx1-ubyte', [1], 1);
  const empty = nabla('train', '--data', idx, '--out', join(tmp, 'idx-run'));
  assert.equal(empty.status, 1);
  assert.match(empty.stderr, /^nabla: \S+train-images-idx3-ubyte: holds no images \(its header says 0\)\n$/);

  symlinkSync('loop-b', join(tmp, 'loop-a'));
  symlinkSync('loop-a', join(tmp, 'loop-b'));
  const loop = nabla('eval', '--model', join(tmp, 'loop-a'), '--data', csv);
  assert.equal(loop.stderr, `nabla: --model ${join(tmp, 'loop-a')}: cannot read it (ELOOP, a symbolic link loop)\n`);
  assert.equal(nabla('eval', '--model', csv, '--data', csv).stderr, `nabla: --model ${csv}: not a directory\n`);

  const run = join(tmp, 'export-run');
  assert.equal(nabla('train', '--data', csv, '--target', 'y', '--epochs', '1', '--out', run).status, 0);
  const model = join(run, 'model.safetensors');
  const before = readFileSync(model);
  const over = nabla('export', '--model', run, '--out', model);
  assert.equal(over.status, 1);
  assert.equal(
    over.stderr,
    `nabla: --out ${model}: the ONNX file's name must end in .onnx (refusing to write over another file)\n`,
  );
  assert.deepEqual(readFileSync(model), before);
  assert.equal(nabla('export', '--model', run).status, 0);
});
